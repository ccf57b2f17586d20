// Runs: start, follow live over SSE, decide approvals, re-run from a node, history.
import type { ApprovalDecision, RunEvent } from '@storyloom/engine';
import { api } from '../api/client';
import { followRunEvents, type RunEventStream } from '../api/events';
import { currentPipeline } from './documentActions';
import { shownOf, watchedFromView, watchedRunAfter } from './runEvents';
import { refreshInbox } from './inboxActions';
import { save } from './pipelineActions';
import { editorStore, type Choice, type WatchedRun } from './state';
import { attempt, toast } from './toasts';

let stream: RunEventStream | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
/** Counts the refreshes asked for: only the answer to the latest one is shown. */
let refreshesAsked = 0;
/** Counts the changes made here to what the watched run shows (see patchRun), to tell a fetched view older than what is shown. */
let viewChanges = 0;

export function stopWatching(): void {
  stream?.close();
  stream = null;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  refreshesAsked++; // an answer still on its way belongs to the run no longer watched
}

/** Changes the watched run; a change to what it shows (an event folded, a decision sent) makes views fetched before it stale. */
function patchRun(runId: string, patch: (run: WatchedRun) => Partial<WatchedRun>): void {
  const before = editorStore.getState().run;
  if (!before || before.id !== runId) return;
  const run = { ...before, ...patch(before) };
  if (run.view !== before.view || run.pending !== before.pending) viewChanges++;
  editorStore.setState({ run });
}

/**
 * The server's view is the truth; events make the canvas live between fetches. Answers can arrive out of
 * order and after newer events: a view read before the last event shown would put the run back (a completed
 * run shown running, a decided gate waiting again), so it is dropped and a newer one asked for.
 */
async function refreshRun(runId: string): Promise<void> {
  const asked = ++refreshesAsked;
  const changesBefore = viewChanges;
  const view = await api.getRun(runId).catch(() => undefined);
  if (!view || asked !== refreshesAsked) return;
  if (viewChanges !== changesBefore) return scheduleRefresh(runId);
  editorStore.setState((s) => (s.run?.id === runId ? { run: watchedFromView(view, s.run) } : {}));
}

function scheduleRefresh(runId: string, delayMs = 150): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refreshRun(runId), delayMs);
}

/**
 * The event does not carry a node's candidates; the run view does. Only the candidates are taken from it, and
 * only into an entry still pending here, so a decision made meanwhile is never undone by the late answer.
 */
async function fillCandidates(runId: string, nodeId: string): Promise<void> {
  const view = await api.getRun(runId).catch(() => undefined);
  const candidates = view?.pending.find((p) => p.nodeId === nodeId)?.candidates;
  if (!candidates) return;
  patchRun(runId, (r) => {
    if (!r.view) return {};
    const pending = r.view.pending.map((p) => (p.nodeId === nodeId ? { ...p, candidates } : p));
    return shownOf({ ...r.view, pending });
  });
}

/** Moves the watched run by the event (see runEvents.ts), then does what the event calls for. */
function applyEvent(runId: string, event: RunEvent): void {
  patchRun(runId, (r) => watchedRunAfter(r, event));
  switch (event.type) {
    case 'node.completed':
      // Tokens are on the run view: fetch it once things settle.
      scheduleRefresh(runId, 400);
      break;
    case 'approval.requested':
      if (event.nodeId && !event.data.autoApprove) void fillCandidates(runId, event.nodeId);
      break;
    case 'approval.resolved':
      scheduleRefresh(runId);
      break;
    case 'run.waiting':
      scheduleRefresh(runId);
      void refreshInbox();
      break;
    case 'run.completed':
    case 'run.failed':
    case 'run.cancelled':
      if (event.type === 'run.failed') toast('error', `Run failed: ${event.data.error}`);
      scheduleRefresh(runId, 0);
      void loadRunHistory();
      // A run that ends (cancelled while waiting, say) takes its approvals with it: the count follows at once.
      void refreshInbox();
      break;
  }
}

/** Shows a run on the canvas and follows its events until it ends. */
export async function watchRun(runId: string): Promise<void> {
  stopWatching();
  const view = await attempt('Could not load the run', () => api.getRun(runId));
  if (!view) return;
  // The inputs form shows what this run was given, ready to run again with changes.
  editorStore.setState((s) => ({
    run: watchedFromView(view),
    panel: 'run',
    runInputs: view.pipelineId === s.meta.id ? { ...s.runInputs, ...view.inputs } : s.runInputs,
  }));
  stream = followRunEvents(runId, (event) => applyEvent(runId, event), {
    onConnectionChange: (connected) => patchRun(runId, () => ({ connected })),
    onEnd: () => {
      patchRun(runId, () => ({ connected: false }));
      scheduleRefresh(runId, 0);
    },
  });
}

/** Asks before the editor acts; the choice dialog shows the options. */
function ask(choice: Choice): void {
  editorStore.setState({ choice });
}

const dismiss = () => editorStore.setState({ choice: null });

/**
 * Run, from the Run buttons and Ctrl+Enter: unsaved edits to a saved pipeline are not run silently; the
 * producer chooses to save them first (and run the new version) or to run them as drawn without saving.
 */
export async function requestRun(): Promise<void> {
  const s = editorStore.getState();
  if (s.savedVersion === null || !s.dirty) return startRun();
  ask({
    title: 'Run with unsaved edits?',
    message: `This pipeline has changes not saved since version ${s.savedVersion}. Save them as a new version and run that, or run the edited pipeline once without saving.`,
    options: [
      {
        label: 'Save and run',
        testId: 'save-and-run',
        kind: 'primary',
        action: () => {
          dismiss();
          void save().then((saved) => (saved ? startRun() : undefined));
        },
      },
      { label: 'Run without saving', testId: 'run-unsaved', action: () => (dismiss(), void startRun()) },
      { label: 'Cancel', testId: 'choice-cancel', action: dismiss },
    ],
  });
}

export async function startRun(): Promise<void> {
  const s = editorStore.getState();
  const pipeline = currentPipeline(s);
  const inputs = { ...s.runInputs };
  // An edited or never-saved document runs as drawn; a saved one runs by id and version.
  const source = s.savedVersion !== null && !s.dirty ? { pipelineId: pipeline.id, version: s.savedVersion } : { pipeline };
  const body = { ...source, inputs, ...(s.runModel ? { model: s.runModel } : {}) };
  const started = await attempt('Could not start the run', () => api.startRun(body));
  if (!started) return;
  toast('info', `Run ${started.id} started`);
  await watchRun(started.id);
  void loadRunHistory();
}

export type { ApprovalDecision };

export function decide(nodeId: string, decision: ApprovalDecision): Promise<boolean> {
  return sendDecision(nodeId, `Could not ${decision.decision} '${nodeId}'`, (runId) => api.decide(runId, nodeId, decision));
}

/** Sends the node's open comment threads back as its reject feedback (they are resolved by it). */
export function rejectWithComments(nodeId: string): Promise<boolean> {
  return sendDecision(nodeId, `Could not send the comments on '${nodeId}' back`, (runId) => api.rejectWithComments(runId, nodeId));
}

/** Sends a decision on the watched run; the approval leaves the card at once, and the run view and inbox catch up. */
async function sendDecision(nodeId: string, failure: string, call: (runId: string) => Promise<unknown>): Promise<boolean> {
  const run = editorStore.getState().run;
  if (!run) return false;
  const result = await attempt(failure, () => call(run.id));
  if (!result) return false;
  patchRun(run.id, (r) => (r.view ? shownOf({ ...r.view, pending: r.view.pending.filter((p) => p.nodeId !== nodeId) }) : { pending: r.pending.filter((p) => p.nodeId !== nodeId) }));
  scheduleRefresh(run.id);
  void refreshInbox();
  // The stream ends when a run waits on some servers; make sure we follow the continuation.
  if (!stream) void watchRun(run.id);
  return true;
}

export async function rerunFrom(nodeId: string, editedOutput?: unknown): Promise<void> {
  const run = editorStore.getState().run;
  if (!run) return;
  const body = editedOutput === undefined ? { from: nodeId } : { from: nodeId, edits: { [nodeId]: editedOutput } };
  const started = await attempt(`Could not re-run from '${nodeId}'`, () => api.rerun(run.id, body));
  if (!started) return;
  toast('info', `Re-run ${started.id} from '${nodeId}' started`);
  await watchRun(started.id);
  void loadRunHistory();
}

/** Cancel asks first: a cancelled run stops between model calls and can be resumed later. */
export function requestCancel(): void {
  const run = editorStore.getState().run;
  if (!run) return;
  ask({
    title: 'Cancel this run?',
    message: 'It stops at the next step. What it has written so far is kept, and you can resume it later.',
    options: [
      { label: 'Cancel the run', testId: 'confirm-cancel', kind: 'danger', action: () => (dismiss(), void cancelRun()) },
      { label: 'Keep running', testId: 'choice-cancel', action: dismiss },
    ],
  });
}

export async function cancelRun(): Promise<void> {
  const run = editorStore.getState().run;
  if (!run) return;
  if (await attempt('Could not cancel', () => api.cancel(run.id))) scheduleRefresh(run.id, 0);
}

export async function resumeRun(): Promise<void> {
  const run = editorStore.getState().run;
  if (!run) return;
  if (await attempt('Could not resume', () => api.resume(run.id))) await watchRun(run.id);
}

/** The runs the history last listed, per pipeline, to tell a run started elsewhere since then. */
let listedRuns: { pipelineId: string; ids: Set<string> } | undefined;

export async function loadRunHistory(options: { followActive?: boolean } = {}): Promise<void> {
  const id = editorStore.getState().meta.id;
  const runs = await api.listRunSummaries({ pipelineId: id }).catch(() => undefined);
  if (!runs || editorStore.getState().meta.id !== id) return;
  runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  const before = listedRuns?.pipelineId === id ? listedRuns.ids : undefined;
  listedRuns = { pipelineId: id, ids: new Set(runs.map((r) => r.id)) };
  editorStore.setState({ runHistory: runs });
  // A run started elsewhere (the CLI, the API, another tab) is followed on the canvas when the producer is on the
  // Run tab with no run shown; otherwise its row in the history says what it is doing.
  const started = before ? runs.find((r) => !before.has(r.id)) : undefined;
  const now = editorStore.getState();
  if (started && !now.run && now.panel === 'run') {
    await watchRun(started.id);
    return;
  }
  // The watched run follows the server too: a status the stream missed (it ends while a run waits) shows here.
  const watched = editorStore.getState().run;
  const listed = watched && runs.find((r) => r.id === watched.id);
  if (watched && listed && listed.status !== watched.status) scheduleRefresh(watched.id, 0);
  // Opening a pipeline whose latest run is still going (or waiting for a decision) picks it up again.
  const latest = runs[0];
  if (options.followActive && latest && ['queued', 'running', 'waiting'].includes(latest.status) && !editorStore.getState().run) {
    await watchRun(latest.id);
  }
}

export function closeRun(): void {
  stopWatching();
  editorStore.setState({ run: null });
}
