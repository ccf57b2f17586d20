// The LangGraph state of a run. It holds only small references — which attempt of each node is current,
// which attempts a person approved, which nodes must run again — because SqliteSaver stores a full copy of
// the state at every step. Outputs themselves live in the node_outputs table.
import { Annotation } from '@langchain/langgraph';

type AttemptsByNode = Record<string, number>;

const mergeAttempts = (current: AttemptsByNode, update: AttemptsByNode): AttemptsByNode => ({ ...current, ...update });
const attempts = () => Annotation<AttemptsByNode>({ reducer: mergeAttempts, default: () => ({}) });

export const RunGraphState = Annotation.Root({
  /** Node id → the attempt whose stored output is the node's current output. */
  done: attempts(),
  /** Node id → the attempt a person (or autoApprove, or a rerun's reuse) approved. */
  approved: attempts(),
  /** Node id → the attempt to produce next after a rejection. */
  redo: attempts(),
});

export type RunGraphValues = typeof RunGraphState.State;
export type RunGraphUpdate = typeof RunGraphState.Update;
/** What a node's work writes: entries merged into the state's maps by their reducers. */
export type AttemptsUpdate = Partial<RunGraphValues>;

/** Graph node names: pipeline ids are `[a-z0-9-]`, so these never collide with state keys or each other. */
export const workNodeName = (nodeId: string): string => `n_${nodeId}`;
export const gateNodeName = (nodeId: string): string => `g_${nodeId}`;
/** Reached by no edge: a budget decision re-enters the graph here, and its one edge leads to the node's work. */
export const budgetEntryName = (nodeId: string): string => `b_${nodeId}`;
