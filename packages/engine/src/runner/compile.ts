// Compiles a validated pipeline to a LangGraph StateGraph. Each segment (see segments.ts: a chain run in order,
// siblings run side by side, or a single node) becomes a work node `n_<first id>`, and each node with
// `approval: true` or a review (its content-policy gate) gets a gate `g_<id>` after it; in a run with a budget,
// also an entry `b_<id>` that no edge reaches, where a budget decision re-enters the graph. Independent branches
// are separate graph nodes, so they run at the same time.
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
import { planSegments, runSegment, type Segments } from './segments';
import { budgetEntryName, gateNodeName, RunGraphState } from './state';

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

  for (const segment of segments.list) {
    const { name, members } = segment;
    builder.addNode(name, (state) => runSegment(executor, segment, state));
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
  // Siblings share their parents, so a segment's first member says where it is entered from.
  for (const { members: [id] } of segments.list) {
    const parents = graph.parents.get(id) ?? [];
    const sources = unique(parents.map(graphNode));
    if (parents.length === 0) {
      if (!budgeted) builder.addEdge(START, graphNode(id));
    }
    else if (sources.length > 1 && !parents.some(mayRunEmpty)) builder.addEdge(sources, graphNode(id));
    // Approval parents lead here through their gate's conditional route (below).
    else for (const source of unique(parents.filter((parent) => !needsApproval(parent)).map(graphNode))) builder.addEdge(source, graphNode(id));
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
    const children = unique((graph.children.get(id) ?? []).map(graphNode));
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

const unique = (names: string[]): string[] => [...new Set(names)];

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
