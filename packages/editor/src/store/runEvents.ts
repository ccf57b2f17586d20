// The watched run moved by one event, with no side effects: statuses, outputs and pending approvals by the
// engine's own fold (the same reading as the CLI's progress), plus what only the editor shows: streamed
// text, timings and each gate's history.
import { foldRunEvent, type NodeStatus, type RunEvent, type RunView } from '@storyloom/engine';
import { recordApprovalEvent } from './approvalHistory';
import type { WatchedRun } from './state';

/** What the canvas and panels read off a run view: node statuses, outputs, pending approvals. */
export function shownOf(view: RunView): Pick<WatchedRun, 'view' | 'status' | 'nodeStatus' | 'outputs' | 'pending'> {
  const nodeStatus: Record<string, NodeStatus> = {};
  const outputs: Record<string, unknown> = {};
  for (const [id, state] of Object.entries(view.nodes ?? {})) {
    nodeStatus[id] = state.status;
    if (state.output !== undefined) outputs[id] = state.output;
  }
  return { view, status: view.status, nodeStatus, outputs, pending: view.pending ?? [] };
}

/** A run to watch from the server's view, keeping what the editor gathered from events before. */
export function watchedFromView(view: RunView, previous?: WatchedRun): WatchedRun {
  return {
    id: view.id,
    ...shownOf(view),
    streams: previous?.streams ?? {},
    callStarts: previous?.callStarts ?? {},
    approvals: previous?.approvals ?? {},
    timing: previous?.timing ?? {},
    connected: previous?.connected ?? false,
  };
}

export function watchedRunAfter(run: WatchedRun, event: RunEvent): WatchedRun {
  const next: WatchedRun = run.view ? { ...run, ...shownOf(foldRunEvent(run.view, event)) } : { ...run };
  if (event.type === 'approval.requested' || event.type === 'approval.resolved') next.approvals = recordApprovalEvent(run.approvals, event);
  const node = event.nodeId;
  if (!node) return next;
  const at = Date.parse(event.at);
  switch (event.type) {
    case 'node.started':
      next.streams = { ...run.streams, [node]: '' };
      next.callStarts = { ...run.callStarts, [node]: { label: undefined, at: 0 } };
      next.timing = { ...run.timing, [node]: { startedAt: at } };
      break;
    case 'node.token': {
      const shown = run.streams[node] ?? '';
      const start = run.callStarts[node];
      // A token of another call than the last one begins that call's text here.
      if (!start || start.label !== event.data.label) next.callStarts = { ...run.callStarts, [node]: { label: event.data.label, at: shown.length } };
      next.streams = { ...run.streams, [node]: shown + event.data.text };
      break;
    }
    case 'node.retry': {
      // The call is written again: its text so far is replaced by the new writing, not followed by it.
      const start = run.callStarts[node];
      if (start && start.label === event.data.label) next.streams = { ...run.streams, [node]: (run.streams[node] ?? '').slice(0, start.at) };
      break;
    }
    case 'node.completed':
      next.timing = { ...run.timing, [node]: { ...run.timing[node], ms: at - (run.timing[node]?.startedAt ?? at) } };
      break;
  }
  return next;
}
