// Compiles a validated pipeline to a LangGraph StateGraph. Each pipeline node becomes a work node `n_<id>`
// and, with `approval: true`, a gate `g_<id>` after it. Joins of plain parents use LangGraph's barrier form
// `addEdge([a, b], join)`; a child of a gate is triggered by each parent separately and checks readiness
// itself (a gate may route onward much later, after a decision). Independent branches share supersteps,
// so they run at the same time.
import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import { gateRoute, type ApprovalGate } from './approval-gate';
import type { NodeExecutor } from './node-executor';
import type { RunContext } from './run-context';
import { gateNodeName, RunGraphState, workNodeName } from './state';

export function compileRunGraph(ctx: RunContext, executor: NodeExecutor, gate: ApprovalGate, checkpointer: BaseCheckpointSaver) {
  const { graph, nodes } = ctx;
  // Node names are dynamic, which StateGraph's literal-typed builder cannot express.
  const builder = new StateGraph(RunGraphState) as unknown as DynamicGraph;
  const needsApproval = (id: string) => nodes.get(id)?.approval === true;

  for (const id of graph.ids) {
    builder.addNode(workNodeName(id), (state) => executor.runNode(id, state));
    if (needsApproval(id)) {
      builder.addNode(gateNodeName(id), (state) => gate.run(id, state));
      builder.addEdge(workNodeName(id), gateNodeName(id));
    }
  }
  for (const id of graph.ids) {
    const parents = graph.parents.get(id) ?? [];
    if (parents.length === 0) builder.addEdge(START, workNodeName(id));
    else if (parents.some(needsApproval)) {
      for (const parent of parents) if (!needsApproval(parent)) builder.addEdge(workNodeName(parent), workNodeName(id));
    } else if (parents.length === 1) builder.addEdge(workNodeName(parents[0]), workNodeName(id));
    else builder.addEdge(parents.map(workNodeName), workNodeName(id));
  }
  for (const id of graph.ids) {
    if (!needsApproval(id)) continue;
    const children = (graph.children.get(id) ?? []).map(workNodeName);
    builder.addConditionalEdges(
      gateNodeName(id),
      (state) => {
        const route = gateRoute(id, state);
        if (route === 'approved') return children.length > 0 ? children : END;
        return route === 'rejected' ? workNodeName(id) : END;
      },
      [...children, workNodeName(id), END],
    );
  }
  return builder.compile({ checkpointer });
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
