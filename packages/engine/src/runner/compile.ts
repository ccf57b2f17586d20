// Compiles a validated pipeline to a LangGraph StateGraph. Each segment (a straight run of nodes, see
// segments.ts; most often a single node) becomes a work node `n_<first id>` that runs its members in order, and
// each node with `approval: true` or a review (its content-policy gate) gets a gate `g_<id>` after it; in a run
// with a budget, also an entry `b_<id>` that no edge reaches, where a budget decision re-enters the graph.
// Independent branches are separate graph nodes, so they run at the same time.
//
// Joins: below a gate, a node may be triggered before all its parents are ready (a gate routes onward only
// after a decision, much later); it then checks readiness itself and does nothing, and that empty run still
// fires its outgoing edges. LangGraph's barrier form `addEdge([a, b], join)` would count such an empty run as
// the parent having finished and never fire again, so it is used only where no parent can run empty (no
// approval on or above any parent). Elsewhere each parent triggers the child separately and the child runs
// once all parents are done and approved.
import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import { gateRoute, hasGate, type ApprovalGate } from './approval-gate';
import type { NodeExecutor } from './node-executor';
import type { RunContext } from './run-context';
import { isBudgeted } from './budget-gate';
import { planSegments, type Segments } from './segments';
import { budgetEntryName, gateNodeName, RunGraphState, type AttemptsUpdate, type RunGraphValues } from './state';

export function compileRunGraph(
  ctx: RunContext,
  executor: NodeExecutor,
  gate: ApprovalGate,
  checkpointer: BaseCheckpointSaver,
): { app: CompiledRunGraph; segments: Segments } {
  const { graph, nodes } = ctx;
  // Node names are dynamic, which StateGraph's literal-typed builder cannot express.
  const builder = new StateGraph(RunGraphState) as unknown as DynamicGraph;
  const needsApproval = (id: string) => hasGate(nodes.get(id));
  const belowGate = nodesBelowGates(graph.ids, graph.parents, needsApproval);
  // With a budget any node may stop before its work to ask a person, and so run empty.
  const budgeted = isBudgeted(ctx.run);
  const mayRunEmpty = (id: string) => budgeted || needsApproval(id) || belowGate.has(id);
  const segments = planSegments(graph, needsApproval, budgeted);
  const graphNode = segments.graphNodeOf;

  for (const members of segments.list) {
    const name = graphNode(members[0]);
    builder.addNode(name, members.length === 1 ? (state) => executor.runNode(members[0], state) : (state) => runSegment(executor, members, state));
    const last = members[members.length - 1];
    if (needsApproval(last)) {
      builder.addNode(gateNodeName(last), (state) => gate.run(last, state));
      builder.addEdge(name, gateNodeName(last));
    }
  }
  if (budgeted) {
    for (const id of graph.ids) {
      builder.addNode(budgetEntryName(id), () => ({}));
      builder.addEdge(budgetEntryName(id), graphNode(id));
    }
  }
  for (const [id] of segments.list) {
    const parents = graph.parents.get(id) ?? [];
    if (parents.length === 0) {
      if (!budgeted) builder.addEdge(START, graphNode(id));
    }
    else if (parents.length > 1 && !parents.some(mayRunEmpty)) builder.addEdge(parents.map(graphNode), graphNode(id));
    // Approval parents lead here through their gate's conditional route (below).
    else for (const parent of parents) if (!needsApproval(parent)) builder.addEdge(graphNode(parent), graphNode(id));
  }
  if (budgeted) {
    // LangGraph refuses a node no edge can reach: the start routes to the roots, and names the budget entries
    // among its possible destinations without ever taking them.
    const roots = graph.ids.filter((id) => (graph.parents.get(id) ?? []).length === 0).map(graphNode);
    builder.addConditionalEdges(START, () => roots, [...roots, ...graph.ids.map(budgetEntryName)]);
  }
  for (const id of graph.ids) {
    if (!needsApproval(id)) continue;
    // A gated node ends its segment and its children begin theirs; a rejection runs its segment again, where
    // the members before it adopt their stored outputs.
    const children = (graph.children.get(id) ?? []).map(graphNode);
    builder.addConditionalEdges(
      gateNodeName(id),
      (state) => {
        const route = gateRoute(id, state);
        if (route === 'approved') return children.length > 0 ? children : END;
        return route === 'rejected' ? graphNode(id) : END;
      },
      [...children, graphNode(id), END],
    );
  }
  return { app: builder.compile({ checkpointer }), segments };
}

/** Runs a segment's members one after another, each seeing what the ones before it wrote. */
async function runSegment(executor: NodeExecutor, members: string[], state: Values): Promise<Update> {
  let current: RunGraphValues = state;
  const update: Required<AttemptsUpdate> = { done: {}, approved: {}, redo: {} };
  for (const id of members) {
    const step = await executor.runNode(id, current);
    Object.assign(update.done, step.done);
    Object.assign(update.approved, step.approved);
    Object.assign(update.redo, step.redo);
    current = {
      done: { ...current.done, ...step.done },
      approved: { ...current.approved, ...step.approved },
      redo: { ...current.redo, ...step.redo },
    };
  }
  return update;
}

/** Nodes with a node asking for approval among their ancestors (these may be triggered before they are ready). */
function nodesBelowGates(ids: string[], parents: Map<string, string[]>, needsApproval: (id: string) => boolean): Set<string> {
  const gated = new Map<string, boolean>();
  const visit = (id: string): boolean => {
    let result = gated.get(id);
    if (result === undefined) {
      result = (parents.get(id) ?? []).some((parent) => needsApproval(parent) || visit(parent));
      gated.set(id, result);
    }
    return result;
  };
  return new Set(ids.filter(visit));
}

type Values = typeof RunGraphState.State;
type Update = typeof RunGraphState.Update;

interface DynamicGraph {
  addNode(name: string, action: (state: Values) => Update | Promise<Update>): DynamicGraph;
  addEdge(from: string | string[], to: string): DynamicGraph;
  addConditionalEdges(from: string, route: (state: Values) => string | string[], targets: string[]): DynamicGraph;
  compile(options: { checkpointer: BaseCheckpointSaver }): CompiledRunGraph;
}

export interface CompiledRunGraph {
  invoke(input: Update | null, config: Record<string, unknown>): Promise<Values>;
  getState(config: Record<string, unknown>): Promise<{ values: Values; next: string[] }>;
  updateState(config: Record<string, unknown>, values: Update, asNode?: string): Promise<unknown>;
}
