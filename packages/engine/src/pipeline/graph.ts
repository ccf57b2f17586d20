// The pipeline as a directed graph: parents, children, reachability, topological order, cycles.
// Every function tolerates a pipeline that is not yet valid (edges to unknown nodes are ignored, the first of
// duplicate node ids wins) because the validator and the live editor call them on drafts.
import { StoryloomError } from '../errors';
import type { Pipeline } from './schema';

type GraphSource = Pick<Pipeline, 'nodes' | 'edges'>;

/** Adjacency lists keyed by node id, in file order; only edges between existing nodes, without repeats. */
export interface PipelineGraph {
  /** Node ids in file order, without duplicates. */
  ids: string[];
  /** Position of each id in `ids`: the file order used to break ties. */
  index: Map<string, number>;
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

export function buildGraph(pipeline: GraphSource): PipelineGraph {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const node of pipeline.nodes) {
    if (index.has(node.id)) continue;
    index.set(node.id, ids.length);
    ids.push(node.id);
    parents.set(node.id, []);
    children.set(node.id, []);
  }
  for (const edge of pipeline.edges) {
    const out = children.get(edge.source);
    const into = parents.get(edge.target);
    if (!out || !into || out.includes(edge.target)) continue;
    out.push(edge.target);
    into.push(edge.source);
  }
  return { ids, index, parents, children };
}

export function parentsOf(pipeline: GraphSource, nodeId: string): string[] {
  return [...(buildGraph(pipeline).parents.get(nodeId) ?? [])];
}

export function childrenOf(pipeline: GraphSource, nodeId: string): string[] {
  return [...(buildGraph(pipeline).children.get(nodeId) ?? [])];
}

/** Every node reachable from `start` along `next`, excluding the start nodes themselves. */
export function reachable(next: Map<string, string[]>, start: Iterable<string>): Set<string> {
  const starts = new Set(start);
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const neighbour of next.get(id) ?? []) {
      if (seen.has(neighbour)) continue;
      seen.add(neighbour);
      stack.push(neighbour);
    }
  }
  for (const id of starts) seen.delete(id);
  return seen;
}

/** Every node with a path to `nodeId` (never `nodeId` itself, even on a cycle). */
export function ancestorsOf(pipeline: GraphSource, nodeId: string): Set<string> {
  return reachable(buildGraph(pipeline).parents, [nodeId]);
}

/** Every node reachable from any of `nodeIds`, excluding the given ids. */
export function descendantsOf(pipeline: GraphSource, nodeIds: Iterable<string>): Set<string> {
  return reachable(buildGraph(pipeline).children, nodeIds);
}

/**
 * Kahn's algorithm, always taking the ready node that comes first in the file, so the order is stable
 * across saves. Nodes on (or behind) a cycle are never ready: they are returned in `blocked`, in file order.
 */
export function orderGraph(graph: PipelineGraph): { order: string[]; blocked: string[] } {
  const waitingOn = new Map(graph.ids.map((id) => [id, graph.parents.get(id)!.length]));
  const ready = graph.ids.filter((id) => waitingOn.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const child of graph.children.get(id)!) {
      const left = waitingOn.get(child)! - 1;
      waitingOn.set(child, left);
      if (left === 0) insertByFileOrder(ready, child, graph.index);
    }
  }
  const placed = new Set(order);
  return { order, blocked: graph.ids.filter((id) => !placed.has(id)) };
}

function insertByFileOrder(ready: string[], id: string, index: Map<string, number>): void {
  const at = ready.findIndex((other) => index.get(other)! > index.get(id)!);
  if (at === -1) ready.push(id);
  else ready.splice(at, 0, id);
}

/** Node ids so that every edge goes forward; ties keep file order. Throws on a cycle, naming it. */
export function topologicalOrder(pipeline: GraphSource): string[] {
  const graph = buildGraph(pipeline);
  const { order, blocked } = orderGraph(graph);
  if (blocked.length > 0) {
    const cycle = findCycleIn(graph) ?? blocked;
    throw new StoryloomError('invalid_pipeline', `pipeline has a ${formatCycle(cycle)}`);
  }
  return order;
}

/** A cycle as the path that closes it, e.g. `['beats', 'lines', 'beats']`; undefined for a DAG. */
export function findCycle(pipeline: GraphSource): string[] | undefined {
  return findCycleIn(buildGraph(pipeline));
}

/** Depth-first search from each node in file order; the first back edge found closes the cycle. */
export function findCycleIn(graph: PipelineGraph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  for (const root of graph.ids) {
    if (state.has(root)) continue;
    // Iterative DFS: `path` is the current chain of open nodes, `cursor` the next child to visit of each.
    const path: string[] = [root];
    const cursor: number[] = [0];
    state.set(root, 'open');
    while (path.length > 0) {
      const id = path[path.length - 1];
      const children = graph.children.get(id)!;
      const next = children[cursor[cursor.length - 1]++];
      if (next === undefined) {
        state.set(id, 'done');
        path.pop();
        cursor.pop();
      } else if (state.get(next) === 'open') {
        return [...path.slice(path.indexOf(next)), next];
      } else if (!state.has(next)) {
        state.set(next, 'open');
        path.push(next);
        cursor.push(0);
      }
    }
  }
  return undefined;
}

/**
 * The graph's non-trivial strongly connected components (Kosaraju), each in file order, ordered by their first
 * node: every cycle lies inside one, so reporting one cycle per component names each tangle exactly once.
 */
export function cyclicComponents(graph: PipelineGraph): string[][] {
  const finished: string[] = [];
  const visited = new Set<string>();
  for (const root of graph.ids) {
    if (visited.has(root)) continue;
    visited.add(root);
    const stack: Array<[string, number]> = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const next = graph.children.get(top[0])![top[1]++];
      if (next === undefined) {
        finished.push(top[0]);
        stack.pop();
      } else if (!visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    }
  }
  const component = new Map<string, number>();
  const components: string[][] = [];
  for (const root of finished.reverse()) {
    if (component.has(root)) continue;
    const members: string[] = [];
    const stack = [root];
    component.set(root, components.length);
    while (stack.length > 0) {
      const id = stack.pop()!;
      members.push(id);
      for (const parent of graph.parents.get(id)!) {
        if (component.has(parent)) continue;
        component.set(parent, components.length);
        stack.push(parent);
      }
    }
    components.push(members);
  }
  return components
    .filter((members) => members.length > 1)
    .map((members) => members.sort((a, b) => graph.index.get(a)! - graph.index.get(b)!))
    .sort((a, b) => graph.index.get(a[0])! - graph.index.get(b[0])!);
}

/** The graph restricted to `ids` (edges leaving the set dropped). */
export function subgraph(graph: PipelineGraph, ids: readonly string[]): PipelineGraph {
  const keep = new Set(ids);
  const ordered = graph.ids.filter((id) => keep.has(id));
  const restrict = (lists: Map<string, string[]>) => new Map(ordered.map((id) => [id, lists.get(id)!.filter((other) => keep.has(other))]));
  return { ids: ordered, index: new Map(ordered.map((id, i) => [id, i])), parents: restrict(graph.parents), children: restrict(graph.children) };
}

export function formatCycle(cycle: readonly string[]): string {
  return `cycle: ${cycle.join(' → ')}`;
}
