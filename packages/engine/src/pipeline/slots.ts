// Which story-memory slots each node writes and sees. A node sees only what its ancestors wrote, so two
// parallel branches can never observe each other and a run is deterministic whatever finishes first.
import { getNodeType } from '../nodes/catalogue';
import { buildGraph, orderGraph, reachable, type PipelineGraph } from './graph';
import type { Pipeline, PipelineNode } from './schema';

/** The slot a node writes: its own `writes`, else its type's default (undefined for an unknown type). */
export function slotWrittenBy(node: Pick<PipelineNode, 'type' | 'writes'>): string | undefined {
  return node.writes ?? getNodeType(node.type)?.writes;
}

/** Slot name → id of the ancestor node that writes it (nearest ancestor wins along a chain). */
export function visibleSlots(pipeline: Pick<Pipeline, 'nodes' | 'edges'>, nodeId: string): Map<string, string> {
  const { graph, writes, order } = slotPlan(pipeline);
  return visibleSlotsIn(graph, writes, nodeId, order);
}

/**
 * `visibleSlots` for many nodes of a pipeline that does not change meanwhile (one drive of a run): the plan is
 * made once, not re-checked on every question (checking costs as much as the answer on wide fan-outs).
 */
export function slotVisibility(pipeline: Pick<Pipeline, 'nodes' | 'edges'>): (nodeId: string) => Map<string, string> {
  const { graph, writes, order } = slotPlan(pipeline);
  return (nodeId) => visibleSlotsIn(graph, writes, nodeId, order);
}

interface SlotPlan {
  signature: string;
  graph: PipelineGraph;
  writes: Map<string, string>;
  order: string[];
}

/**
 * The runner asks for every node's slots in turn: the graph, writers and order are kept per pipeline object and
 * rebuilt whenever its nodes, types, writes or edges differ (checked by a signature, so edits in place are seen).
 */
const plans = new WeakMap<object, SlotPlan>();

function slotPlan(pipeline: Pick<Pipeline, 'nodes' | 'edges'>): SlotPlan {
  const signature = [
    ...pipeline.nodes.map((node) => `${node.id}\u0001${node.type}\u0001${node.writes ?? ''}`),
    ...pipeline.edges.map((edge) => `${edge.source}\u0002${edge.target}`),
  ].join('\u0000');
  const cached = plans.get(pipeline);
  if (cached?.signature === signature) return cached;
  const graph = buildGraph(pipeline);
  const plan = { signature, graph, writes: writersById(pipeline.nodes), order: flatOrder(graph) };
  plans.set(pipeline, plan);
  return plan;
}

/** Node id → slot it writes, for nodes that write one (first of duplicate ids wins, as in the graph). */
export function writersById(nodes: readonly Pick<PipelineNode, 'id' | 'type' | 'writes'>[]): Map<string, string> {
  const writes = new Map<string, string>();
  for (const node of nodes) {
    if (writes.has(node.id)) continue;
    const slot = slotWrittenBy(node);
    if (slot !== undefined) writes.set(node.id, slot);
  }
  return writes;
}

/**
 * Walks the ancestors in topological order so a later writer on the same chain overrides an earlier one
 * (`outline` rewritten by a `prompt` node downstream is what the next node sees).
 */
export function visibleSlotsIn(
  graph: PipelineGraph,
  writes: Map<string, string>,
  nodeId: string,
  /** `orderGraph(graph)` flattened, when the caller already has it (the validator asks for every node). */
  order: readonly string[] = flatOrder(graph),
): Map<string, string> {
  const ancestors = reachable(graph.parents, [nodeId]);
  const visible = new Map<string, string>();
  for (const id of order) {
    if (!ancestors.has(id)) continue;
    const slot = writes.get(id);
    if (slot !== undefined) visible.set(slot, id);
  }
  return visible;
}

/** Every node in topological order, nodes on cycles last (in file order): an order for overriding writes. */
export function flatOrder(graph: PipelineGraph): string[] {
  const { order, blocked } = orderGraph(graph);
  return [...order, ...blocked];
}
