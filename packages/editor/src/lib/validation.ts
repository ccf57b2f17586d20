// Live validation with the engine's own `validatePipeline` (from its browser-safe entry), so the editor
// reports exactly what the server and CLI would. The engine (node catalogue, zod schemas) is loaded as its
// own chunk, in parallel with the first render: until it is there, validation is "pending" and Run waits.
import type { Pipeline, ValidationProblem } from '@storyloom/engine';
import type { StoryFlowEdge, StoryFlowNode } from '../graph/convert';
import type { ValidationView } from '../store/state';

type Engine = typeof import('@storyloom/engine');
let engine: Engine | undefined;

export const engineLoaded: Promise<Engine> = import('@storyloom/engine').then((module) => (engine = module));

export function validate(pipeline: Pipeline, nodes: StoryFlowNode[], edges: StoryFlowEdge[]): ValidationView {
  if (!engine) return { errors: [], byNode: {}, byEdge: {}, pending: true };
  let errors: ValidationProblem[];
  try {
    errors = engine.validatePipeline(pipeline).errors;
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

/** The engine once loaded (undefined before): draft checks use its output schemas. */
export function loadedEngine(): Engine | undefined {
  return engine;
}
