// Plans a rerun: the parent's pipeline snapshot with config overrides, the set of nodes to recompute
// (the changed nodes and everything downstream of them), and the outputs to seed: references to the
// parent's outputs for every other node, and the edited outputs.
import { StoryloomError } from '../errors';
import { getNodeType } from '../nodes/catalogue';
import { outputSchemaOf } from '../nodes/types';
import { checkNodeConfig, resolveNodeConfig } from '../pipeline/config';
import { descendantsOf } from '../pipeline/graph';
import type { Pipeline } from '../pipeline/schema';
import type { ValidationProblem } from '../errors';
import type { RunRecord, StoreSet } from '../store';
import type { RerunRequest } from './types';

export interface RerunPlan {
  pipeline: Pipeline;
  reused: Map<string, number>; // node id → parent's attempt
  edits: Map<string, unknown>;
}

export async function planRerun(stores: StoreSet, parent: RunRecord, request: RerunRequest): Promise<RerunPlan> {
  const pipeline: Pipeline = structuredClone(parent.pipeline);
  const ids = new Set(pipeline.nodes.map((node) => node.id));
  const unknown = (id: string, what: string) =>
    new StoryloomError('invalid_input', `${what} names node '${id}', which is not in pipeline '${pipeline.id}' (nodes: ${[...ids].join(', ')})`);
  if (!ids.has(request.from)) throw unknown(request.from, 'from');
  for (const id of Object.keys(request.edits ?? {})) if (!ids.has(id)) throw unknown(id, 'edits');
  const configProblems: ValidationProblem[] = [];
  for (const [id, patch] of Object.entries(request.config ?? {})) {
    if (!ids.has(id)) throw unknown(id, 'config');
    const index = pipeline.nodes.findIndex((node) => node.id === id);
    const node = pipeline.nodes[index];
    node.config = mergeConfig(id, node.config, patch);
    const type = getNodeType(node.type);
    if (type) configProblems.push(...checkNodeConfig(node, ['nodes', index, 'config'], type, parent.inputs).problems);
  }
  if (configProblems.length > 0) {
    throw new StoryloomError('invalid_input', `rerun config does not fit: ${configProblems.map((problem) => problem.message).join('; ')}`, configProblems);
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
  const parentNodes = new Map((await stores.nodes.list(parent.id)).map((record) => [record.nodeId, record]));
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

/**
 * A rerun's config for one node, laid over the node's config: keys given replace those keys, a `null`
 * removes one (its default applies again), and keys not named are kept.
 */
export function mergeConfig(nodeId: string, current: Record<string, unknown> | undefined, patch: unknown): Record<string, unknown> {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new StoryloomError('invalid_input', `config for node '${nodeId}' must be an object of config keys, got ${Array.isArray(patch) ? 'an array' : JSON.stringify(patch)}`);
  }
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
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
