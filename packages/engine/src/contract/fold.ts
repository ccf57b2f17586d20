// The one reading of a run's event log: `foldRunEvent(view, event)` moves a run view forward by one event, the
// way the engine's own view of the stored run moves. The CLI's progress display and the editor's run state
// both fold with it, so an approval, a rejection or a failure reads the same everywhere.
import type { RunEvent } from './events';
import { budgetCancelMessage } from '../cost/budget';
import { sumUsage } from '../cost/usage';
import type { Budget, NodeState, NodeStatus, RunStatus, RunView } from './run-view';

/** Node statuses a stopped run shows as `skipped`: they never ran, or were interrupted and will run on resume. */
const NOT_RUN: ReadonlySet<NodeStatus> = new Set(['pending', 'running']);

/** A run's view before any event: every node pending. */
export function newRunView(
  run: Pick<RunView, 'id' | 'pipelineId' | 'version' | 'inputs' | 'createdAt'> & Partial<Pick<RunView, 'model' | 'parentRunId'>>,
  nodeIds: readonly string[],
): RunView {
  const nodes: Record<string, NodeState> = {};
  for (const id of nodeIds) nodes[id] = { status: 'pending' };
  return { ...run, status: 'queued', nodes, pending: [], updatedAt: run.createdAt };
}

/** The run view after `event`. Pure: the view passed in is left as it was (React state can hold it). */
export function foldRunEvent(view: RunView, event: RunEvent): RunView {
  // Streamed text and retries change nothing a view shows (adapters keep the text themselves).
  if (event.type === 'node.token' || event.type === 'node.retry') return view;
  const next: RunView = { ...view, nodes: { ...view.nodes }, pending: view.pending, updatedAt: event.at || view.updatedAt };
  const nodeId = event.nodeId;
  const node = (patch: Partial<NodeState> & { status: NodeStatus }, drop: Array<keyof NodeState> = []) => {
    if (!nodeId) return;
    const state: NodeState = { ...next.nodes[nodeId], ...patch };
    for (const key of drop) delete state[key];
    next.nodes[nodeId] = state;
  };
  const unpend = () => {
    if (nodeId) next.pending = next.pending.filter((approval) => approval.nodeId !== nodeId);
  };
  // Work on a node means its run is going: a resumed run logs no second `run.started`.
  if (nodeId && next.status !== 'running') setStatus(next, 'running');

  switch (event.type) {
    case 'run.started':
      setStatus(next, 'running');
      if (event.actor) next.startedBy = event.actor;
      break;
    case 'node.started':
      node({ status: 'running' }, ['output', 'error', 'candidates']);
      unpend();
      break;
    case 'node.completed': {
      const { data } = event;
      // What a rerun seeds cost nothing in this run: the stored node keeps no usage for it.
      const seeded = data.reused === true || data.edited === true;
      node(
        { status: data.reused ? 'reused' : 'completed', ...(seeded ? {} : { usage: data.usage }), ...(data.output !== undefined ? { output: data.output } : {}) },
        ['error'],
      );
      sumRunUsage(next);
      break;
    }
    case 'node.failed':
      node({ status: 'failed', error: event.data.error, ...(event.data.usage ? { usage: event.data.usage } : {}) });
      sumRunUsage(next);
      break;
    case 'approval.requested': {
      const { data } = event;
      if (data.autoApprove) break; // resolved at once by the run itself
      node({ status: 'waiting' });
      unpend();
      if (nodeId) next.pending = [...next.pending, { nodeId, draft: data.draft ?? data.check, ...(data.kind ? { kind: data.kind } : {}) }];
      break;
    }
    case 'approval.resolved': {
      const { data } = event;
      unpend();
      if (data.kind === 'budget') {
        // Decided before the node ran: it runs now (with the limits given, or none), or the run is cancelled.
        node({ status: 'pending' });
        if (data.budget !== undefined) setBudget(next, data.budget);
        break;
      }
      // A rejected node runs again with the feedback; any other decision lets its output go on.
      if (data.decision === 'reject') node({ status: 'pending' });
      else node({ status: 'completed', ...(data.output !== undefined ? { output: data.output } : {}) });
      break;
    }
    case 'run.waiting':
      setStatus(next, 'waiting');
      break;
    case 'run.completed':
      setStatus(next, 'completed');
      break;
    case 'run.failed':
      stop(next, 'failed', event.data.error);
      break;
    case 'run.cancelled':
      stop(next, 'cancelled', event.data.reason === 'budget' ? budgetCancelMessage(event.data.nodeId) : 'cancelled');
      break;
  }
  return next;
}

/** Folds a whole log (or the rest of one) onto `view`. */
export function foldRunEvents(view: RunView, events: Iterable<RunEvent>): RunView {
  let folded = view;
  for (const event of events) folded = foldRunEvent(folded, event);
  return folded;
}

/** The run's usage: its nodes' summed, as the engine's view has it. */
function sumRunUsage(view: RunView): void {
  const used = Object.values(view.nodes).flatMap((state) => (state.usage ? [state.usage] : []));
  if (used.length > 0) view.usage = sumUsage(used);
}

function setBudget(view: RunView, budget: Budget | null): void {
  if (budget && (budget.maxTokens !== undefined || budget.maxCostUsd !== undefined)) view.budget = budget;
  else delete view.budget;
}

function setStatus(view: RunView, status: RunStatus): void {
  view.status = status;
  delete view.error;
  delete view.interrupted;
  // Resumed: nodes a stop skipped are ahead again.
  for (const [id, state] of Object.entries(view.nodes)) if (state.status === 'skipped') view.nodes[id] = { ...state, status: 'pending' };
}

function stop(view: RunView, status: RunStatus, error: string): void {
  setStatus(view, status);
  view.error = error;
  for (const [id, state] of Object.entries(view.nodes)) if (NOT_RUN.has(state.status)) view.nodes[id] = { ...state, status: 'skipped' };
}
