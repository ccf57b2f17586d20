// The approvals inbox: every pending approval across runs and pipelines (the API's list), each named by its
// node's label and its run's premise, polled so approvals requested from the CLI or the API show up too.
import { api, type ApprovalInboxEntry } from '../api/client';
import { premiseOf } from '../lib/runFigures';
import { editorStore } from './state';
import { confirmDiscard, openPipeline } from './pipelineActions';
import { watchRun } from './runActions';

export interface InboxItem extends ApprovalInboxEntry {
  /** The node's label (or type title) in its pipeline. */
  label: string;
  pipelineName: string;
  /** What the run was given, the first line of its premise or main text input. */
  premise?: string;
}

const POLL_MS = 3000;
let timer: ReturnType<typeof setTimeout> | null = null;
/** Node labels per pipeline id, fetched once per session (labels rarely change under a waiting run). */
const labels = new Map<string, Promise<Record<string, string>>>();

function labelsOf(pipelineId: string): Promise<Record<string, string>> {
  if (!labels.has(pipelineId)) {
    labels.set(
      pipelineId,
      api
        .getPipeline(pipelineId)
        .then((stored) => Object.fromEntries(stored.pipeline.nodes.map((n) => [n.id, n.label || editorStore.getState().catalogue.find((t) => t.type === n.type)?.title || n.id])))
        .catch(() => ({})),
    );
  }
  return labels.get(pipelineId)!;
}

export async function refreshInbox(): Promise<void> {
  const [entries, waiting] = await Promise.all([api.approvals(), api.listRunSummaries({ status: 'waiting' })]).catch(() => [undefined, undefined]);
  if (!entries) return;
  const runs = new Map((waiting ?? []).map((run) => [run.id, run]));
  const pipelines = editorStore.getState().pipelines;
  const items = await Promise.all(
    entries.map(async (entry) => ({
      ...entry,
      draft: undefined,
      label: (await labelsOf(entry.pipelineId))[entry.nodeId] ?? entry.nodeId,
      pipelineName: pipelines.find((p) => p.id === entry.pipelineId)?.name ?? entry.pipelineId,
      premise: premiseOf(runs.get(entry.runId)?.inputs),
    })),
  );
  items.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  editorStore.setState({ inbox: items });
}

/** Polls while the page is open; an immediate refresh follows every decision. */
export function startInboxPolling(): void {
  if (timer) return;
  const tick = async () => {
    await refreshInbox();
    timer = setTimeout(() => void tick(), POLL_MS);
  };
  void tick();
}

/** Shows the run of an inbox entry, opening its pipeline first when another one is open. */
export async function openInboxItem(item: InboxItem): Promise<void> {
  editorStore.setState({ inboxOpen: false });
  if (editorStore.getState().meta.id === item.pipelineId) {
    await watchRun(item.runId);
    return;
  }
  if (!confirmDiscard()) return;
  await openPipeline(item.pipelineId, undefined, { watchRunId: item.runId });
}
