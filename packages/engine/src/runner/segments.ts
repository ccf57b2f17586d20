// Straight runs of pipeline nodes that become one graph node each. A node whose only parent has no other child
// and no gate can only ever run right after that parent, alone: a LangGraph superstep of its own (a task, its
// writes, a checkpoint, all fenced on the lease) buys it nothing, because the node executor already stores each
// node's output and events as it finishes, and a segment run again (after a crash, a rejection below it) adopts
// what its members stored instead of computing them again. Steps are the graph's per-node cost, so a 50-node
// chain runs as one step instead of fifty. Branches, joins and gates still get graph nodes of their own, so
// parallel branches run side by side as before (and no longer wait for each other at every step).
import type { PipelineGraph } from '../pipeline/graph';
import { workNodeName } from './state';

export interface Segments {
  /** Each segment's members in the order they run; the first names the segment's graph node. */
  list: string[][];
  /** The graph node a pipeline node runs in. */
  graphNodeOf(nodeId: string): string;
}

/**
 * Splits the graph into segments. A node continues its parent's segment when it has exactly one parent, that
 * parent has exactly one child and no gate, and the run has no budget (with one, any node may stop before its
 * work to ask a person, and re-enters the graph at its own entry).
 */
export function planSegments(graph: PipelineGraph, hasGate: (nodeId: string) => boolean, budgeted: boolean): Segments {
  const continuesParent = (id: string): boolean => {
    if (budgeted) return false;
    const parents = graph.parents.get(id) ?? [];
    if (parents.length !== 1) return false;
    const [parent] = parents;
    return (graph.children.get(parent) ?? []).length === 1 && !hasGate(parent);
  };
  const list: string[][] = [];
  const nameOf = new Map<string, string>();
  for (const head of graph.ids) {
    if (continuesParent(head)) continue;
    const members = [head];
    for (let last = head; ; ) {
      const children = graph.children.get(last) ?? [];
      if (children.length !== 1 || !continuesParent(children[0])) break;
      last = children[0];
      members.push(last);
    }
    list.push(members);
    for (const member of members) nameOf.set(member, workNodeName(head));
  }
  // Only a cycle (which validation refuses) leaves a node unreached: it keeps a graph node of its own.
  for (const id of graph.ids) {
    if (nameOf.has(id)) continue;
    list.push([id]);
    nameOf.set(id, workNodeName(id));
  }
  return { list, graphNodeOf: (nodeId) => nameOf.get(nodeId) ?? workNodeName(nodeId) };
}
