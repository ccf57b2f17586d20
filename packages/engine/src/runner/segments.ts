// Which pipeline nodes share one graph node, and how a graph node runs them. Each LangGraph task costs a step's
// machinery (its writes and a checkpoint, each fenced on the lease, its config and run tree) that buys a node
// nothing when the node could only ever run at that moment anyway; the node executor already stores each node's
// output and events as it finishes, and a graph node run again (after a crash, a rejection below it) adopts what
// its members stored instead of computing them again. Two shapes qualify:
// - a chain: a node whose only parent has no other child and no gate runs right after that parent, alone, so a
//   straight run of such nodes is one graph node computing its members in order (a 50-node chain is one step,
//   not fifty, and a branch beside it no longer waits for the other branch at every step);
// - siblings: nodes without gates that have the same parents and the same children always become ready together
//   and are waited for together, so they are one graph node computing its members side by side (a 64-way
//   fan-out is one task, not 64).
// Joins, gated nodes and every node of a run with a budget (any node may stop before its work to ask a person,
// and re-enters the graph at its own entry) keep graph nodes of their own.
import type { PipelineGraph } from '../pipeline/graph';
import type { NodeExecutor } from './node-executor';
import { type AttemptsUpdate, type RunGraphValues, workNodeName } from './state';

export interface Segment {
  /** The graph node's name (after its first member). */
  name: string;
  /** Pipeline nodes, in file order for siblings, in running order for a chain. */
  members: string[];
  /** Members run one after another, each seeing what the ones before wrote, or side by side. */
  runs: 'in-order' | 'side-by-side';
}

export interface Segments {
  list: Segment[];
  /** The graph node a pipeline node runs in. */
  graphNodeOf(nodeId: string): string;
}

export function planSegments(graph: PipelineGraph, hasGate: (nodeId: string) => boolean, budgeted: boolean): Segments {
  const chains = budgeted ? graph.ids.map((id) => [id]) : planChains(graph, hasGate);
  const list: Segment[] = [];
  const siblings = new Map<string, Segment>();
  for (const members of chains) {
    const [id] = members;
    const key = members.length === 1 && !budgeted && !hasGate(id) ? siblingKey(graph, id) : undefined;
    const group = key === undefined ? undefined : siblings.get(key);
    if (group) {
      group.members.push(id);
      group.runs = 'side-by-side';
      continue;
    }
    const segment: Segment = { name: workNodeName(id), members, runs: 'in-order' };
    if (key !== undefined) siblings.set(key, segment);
    list.push(segment);
  }
  const nameOf = new Map(list.flatMap((segment) => segment.members.map((id) => [id, segment.name] as const)));
  return { list, graphNodeOf: (nodeId) => nameOf.get(nodeId) ?? workNodeName(nodeId) };
}

/** Straight runs: a node continues its parent's when it is that parent's only child, its only parent has no gate. */
function planChains(graph: PipelineGraph, hasGate: (nodeId: string) => boolean): string[][] {
  const continuesParent = (id: string): boolean => {
    const parents = graph.parents.get(id) ?? [];
    return parents.length === 1 && (graph.children.get(parents[0]) ?? []).length === 1 && !hasGate(parents[0]);
  };
  const chains: string[][] = [];
  const placed = new Set<string>();
  for (const head of graph.ids) {
    if (continuesParent(head)) continue;
    const members = [head];
    for (let last = head; ; ) {
      const children = graph.children.get(last) ?? [];
      if (children.length !== 1 || !continuesParent(children[0])) break;
      last = children[0];
      members.push(last);
    }
    chains.push(members);
    for (const member of members) placed.add(member);
  }
  // Only a cycle (which validation refuses) leaves a node unreached: it keeps a graph node of its own.
  for (const id of graph.ids) if (!placed.has(id)) chains.push([id]);
  return chains;
}

/** Nodes with the same parents and the same children. */
function siblingKey(graph: PipelineGraph, id: string): string {
  const sorted = (ids: string[] | undefined) => [...(ids ?? [])].sort().join(',');
  return `${sorted(graph.parents.get(id))}|${sorted(graph.children.get(id))}`;
}

/** Runs a segment's members as the segment says: one after another, or side by side. */
export function runSegment(executor: NodeExecutor, segment: Segment, state: RunGraphValues): Promise<AttemptsUpdate> {
  const { members, runs } = segment;
  if (members.length === 1) return executor.runNode(members[0], state);
  return runs === 'side-by-side' ? runSideBySide(executor, members, state) : runInOrder(executor, members, state);
}

/**
 * Runs siblings at the same time; a failure fails the step once every sibling has ended (their work is kept).
 * They start a few per turn of the event loop, so the first get their requests out before the rest begin their
 * own preparations: started all at once, every sibling would prepare (its records, its request) before the first
 * request left, and the first answers would come back only once the last request had been made. Spread over at
 * most STARTING_TURNS turns, the records of the siblings starting in one turn still share a commit.
 */
async function runSideBySide(executor: NodeExecutor, members: string[], state: RunGraphValues): Promise<AttemptsUpdate> {
  const perTurn = Math.ceil(members.length / STARTING_TURNS);
  const running: Array<Promise<PromiseSettledResult<AttemptsUpdate>>> = [];
  for (const id of members) {
    if (running.length > 0 && running.length % perTurn === 0) await nextTurn();
    // Settled at once: a sibling failing while the others are still starting is not an unhandled rejection.
    const outcome: Promise<PromiseSettledResult<AttemptsUpdate>> = executor.runNode(id, state).then(
      (value) => ({ status: 'fulfilled', value }),
      (reason: unknown) => ({ status: 'rejected', reason }),
    );
    running.push(outcome);
  }
  const settled = await Promise.all(running);
  const update = emptyUpdate();
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    mergeInto(update, result.value);
  }
  return update;
}

/** Runs a chain's members one after another, each seeing what the ones before it wrote. */
async function runInOrder(executor: NodeExecutor, members: string[], state: RunGraphValues): Promise<AttemptsUpdate> {
  const current: RunGraphValues = { done: { ...state.done }, approved: { ...state.approved }, redo: { ...state.redo } };
  const update = emptyUpdate();
  for (const id of members) {
    const step = await executor.runNode(id, current);
    mergeInto(update, step);
    mergeInto(current, step);
  }
  return update;
}

/** Over how many turns of the event loop siblings start (one per turn up to this many siblings). */
const STARTING_TURNS = 16;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const emptyUpdate = (): Required<AttemptsUpdate> => ({ done: {}, approved: {}, redo: {} });

/** Applies a node's writes as the state's reducers do (entries merged into each map). */
function mergeInto(target: Required<AttemptsUpdate>, step: AttemptsUpdate): void {
  Object.assign(target.done, step.done);
  Object.assign(target.approved, step.approved);
  Object.assign(target.redo, step.redo);
}
