// Plans a rerun: the parent's pipeline snapshot with config overrides, the set of nodes to recompute
// (the changed nodes and everything downstream of them), and the outputs to seed: references to the
// parent's outputs for every other node, and the edited outputs.
import { StoryloomError } from '../errors';
import { getNodeType } from '../nodes/catalogue';
import { outputSchemaOf } from '../nodes/types';
import { resolveNodeConfig } from '../pipeline/config';
import { descendantsOf } from '../pipeline/graph';
import type { Pipeline } from '../pipeline/schema';
import type { ValidationProblem } from '../errors';
import type { Stores } from '../store';
import type { RunRecord } from '../store/run-store';
import type { RerunRequest } from './types';

export interface RerunPlan {
  pipeline: Pipeline;
  reused: Map<string, number>; // node id → parent's attempt
  edits: Map<string, unknown>;
}

export function planRerun(stores: Stores, parent: RunRecord, request: RerunRequest): RerunPlan {
  const pipeline: Pipeline = structuredClone(parent.pipeline);
  const ids = new Set(pipeline.nodes.map((node) => node.id));
  const unknown = (id: string, what: string) =>
    new StoryloomError('invalid_input', `${what} names node '${id}', which is not in pipeline '${pipeline.id}' (nodes: ${[...ids].join(', ')})`);
  if (!ids.has(request.from)) throw unknown(request.from, 'from');
  for (const id of Object.keys(request.edits ?? {})) if (!ids.has(id)) throw unknown(id, 'edits');
  for (const [id, config] of Object.entries(request.config ?? {})) {
    if (!ids.has(id)) throw unknown(id, 'config');
    pipeline.nodes.find((node) => node.id === id)!.config = config;
  }

  const edits = new Map<string, unknown>();
  const problems: ValidationProblem[] = [];
  for (const [id, output] of Object.entries(request.edits ?? {})) {
    const node = pipeline.nodes.find((candidate) => candidate.id === id)!;
    const type = getNodeType(node.type)!;
    const parsed = outputSchemaOf(type, resolveNodeConfig(node, parent.inputs)).safeParse(output);
    if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => outputProblem(id, node.type, issue)));
    else edits.set(id, parsed.data);
  }
  if (problems.length > 0) {
    throw new StoryloomError('invalid_input', `edited output does not fit: ${problems.map((problem) => problem.message).join('; ')}`, problems);
  }

  const changed = new Set([request.from, ...Object.keys(request.edits ?? {}), ...Object.keys(request.config ?? {})]);
  const parentNodes = new Map(stores.nodes.list(parent.id).map((record) => [record.nodeId, record]));
  // A node the parent never finished cannot be reused: it and its descendants are recomputed too.
  for (const id of ids) {
    const record = parentNodes.get(id);
    if (!record || (record.status !== 'completed' && record.status !== 'reused') || record.attempt === undefined) changed.add(id);
  }
  const recompute = new Set([...changed, ...descendantsOf(pipeline, changed)]);
  const reused = new Map<string, number>();
  for (const id of ids) if (!recompute.has(id)) reused.set(id, parentNodes.get(id)!.attempt!);
  return { pipeline, reused, edits };
}

/** A zod issue of an edited output as a problem that names the node. */
export function outputProblem(nodeId: string, type: string, issue: { path: PropertyKey[]; message: string }): ValidationProblem {
  const where = issue.path.map(String).join('/');
  return {
    path: `/${nodeId}${where ? `/${where}` : ''}`,
    code: 'invalid_output',
    message: `output of '${nodeId}' (${type})${where ? ` at ${where}` : ''}: ${issue.message}`,
  };
}
