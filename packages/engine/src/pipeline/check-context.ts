// What the graph, node and slot checks share: the pipeline, its graph and per-node facts computed once.
import type { ValidationProblem } from '../errors';
import { getNodeType } from '../nodes/catalogue';
import type { NodeType } from '../nodes/types';
import { buildGraph, reachable, type PipelineGraph } from './graph';
import type { Pipeline } from './schema';
import { flatOrder, visibleSlotsIn, writersById } from './slots';

/** What the checks share: the pipeline, its graph (self-loops left out) and per-node facts computed once. */
export interface Checked {
  pipeline: Pipeline;
  graph: PipelineGraph;
  nodeIds: Set<string>;
  /** Index of the first node with each id. */
  indexOf: Map<string, number>;
  types: Array<NodeType | undefined>;
  configs: unknown[];
  writes: Map<string, string>;
  ancestors: (id: string) => Set<string>;
  /** Slot → writer id, as node `id` sees the memory. */
  visible: (id: string) => Map<string, string>;
  problems: ValidationProblem[];
}

export function createChecked(pipeline: Pipeline): Checked {
  // Self-loops are reported as self_loop; left in, each would be reported again as a cycle.
  const graph = buildGraph({ nodes: pipeline.nodes, edges: pipeline.edges.filter((edge) => edge.source !== edge.target) });
  const ancestorCache = new Map<string, Set<string>>();
  const visibleCache = new Map<string, Map<string, string>>();
  const writes = writersById(pipeline.nodes);
  const order = flatOrder(graph);
  const checked: Checked = {
    pipeline,
    graph,
    nodeIds: new Set(graph.ids),
    indexOf: new Map(),
    types: pipeline.nodes.map((node) => getNodeType(node.type)),
    configs: [],
    writes,
    ancestors: (id) => {
      if (!ancestorCache.has(id)) ancestorCache.set(id, reachable(graph.parents, [id]));
      return ancestorCache.get(id)!;
    },
    visible: (id) => {
      if (!visibleCache.has(id)) visibleCache.set(id, visibleSlotsIn(graph, writes, id, order));
      return visibleCache.get(id)!;
    },
    problems: [],
  };
  pipeline.nodes.forEach((node, index) => {
    if (!checked.indexOf.has(node.id)) checked.indexOf.set(node.id, index);
  });
  return checked;
}

/** `characters 'cast'`, or `node 'cast'` when its type is unknown. */
export function nodeName(checked: Checked, index: number): string {
  const node = checked.pipeline.nodes[index];
  return `${checked.types[index] ? node.type : 'node'} '${node.id}'`;
}

/** How a producer names a node: its type's title and its label (or id), `Dialogue 'Lines'`. */
export function nodeTitle(checked: Checked, index: number): string {
  const node = checked.pipeline.nodes[index];
  const type = checked.types[index];
  return `${type ? type.title : 'Node'} '${node.label || node.id}'`;
}
