// Live validation with the engine's own `validatePipeline` (from its browser-safe entry), so the editor
// reports exactly what the server and CLI would. The engine is part of the editor's main bundle (its API
// client, run state and panels use the contract and the catalogue), so validation is there from the start.
import { type Pipeline, type ValidationProblem, validatePipeline } from '@storyloom/engine';
import type { StoryFlowEdge, StoryFlowNode } from '../graph/convert';
import type { ValidationView } from '../store/state';

export function validate(pipeline: Pipeline, nodes: StoryFlowNode[], edges: StoryFlowEdge[]): ValidationView {
  let errors: ValidationProblem[];
  try {
    errors = validatePipeline(pipeline).errors;
  } catch (error) {
    errors = [{ path: '', code: 'validator_crashed', message: `validation failed: ${(error as Error).message}` }];
  }
  const byNode: ValidationView['byNode'] = {};
  const byEdge: ValidationView['byEdge'] = {};
  for (const problem of errors) {
    const match = /^\/(nodes|edges)\/(\d+)/.exec(problem.path);
    if (!match) continue;
    const element = match[1] === 'nodes' ? nodes[Number(match[2])] : edges[Number(match[2])];
    if (!element) continue;
    const bucket = match[1] === 'nodes' ? byNode : byEdge;
    (bucket[element.id] ??= []).push(problem);
  }
  return { errors, byNode, byEdge };
}
