// Pipelines on the server: list, open, new, save as a new version, duplicate, delete, import/export
// files, version history and restore.
import type { Pipeline } from '@storyloom/engine';
import { loadMe } from './me';
import { api, ApiError, downloadText } from '../api/client';
import { currentPipeline, loadDocument } from './documentActions';
import { editorStore, newPipelineMeta } from './state';
import { attempt, toast, toastError } from './toasts';
import { loadRunHistory, stopWatching, watchRun } from './runActions';
import { clearDraft, lastDraftId, readDraft, writeDraft } from './drafts';
import { startInboxPolling } from './inboxActions';

/** Keeps the edited document in a local draft (debounced) so a reload or tab crash loses nothing. */
function autosaveDrafts(): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = editorStore.getState();
  editorStore.subscribe(() => {
    const s = editorStore.getState();
    const changed = s.meta !== last.meta || s.nodes !== last.nodes || s.edges !== last.edges;
    last = s;
    if (!changed || !s.dirty) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = editorStore.getState();
      if (now.dirty) writeDraft(currentPipeline(now), now.savedVersion);
    }, 400);
  });
}

function setUrlPipeline(id: string | null): void {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set('pipeline', id);
  else url.searchParams.delete('pipeline');
  window.history.replaceState(null, '', url);
}

export async function refreshPipelines(): Promise<void> {
  const pipelines = await attempt('Could not list pipelines', api.listPipelines);
  if (pipelines) editorStore.setState({ pipelines });
}

let booted = false;

export async function bootstrap(): Promise<void> {
  if (booted) return; // StrictMode runs mount effects twice
  booted = true;
  autosaveDrafts();
  // Everything at once: the first paint of a pipeline waits for one round trip, not four.
  void loadMe();
  void attempt('Could not load the node catalogue', api.nodeTypes).then((catalogue) => editorStore.setState({ catalogue: catalogue ?? [] }));
  void api.models().then((models) => editorStore.setState({ models }), () => undefined);
  void refreshPipelines();
  startInboxPolling();
  const requested = new URLSearchParams(window.location.search).get('pipeline');
  const draftId = lastDraftId();
  const draft = draftId ? readDraft(draftId) : undefined;
  if (requested) await openPipeline(requested);
  else if (draft && draft.baseVersion === null) {
    loadDocument(draft.pipeline, null, { dirty: true });
    toast('info', `Restored your unsaved pipeline '${draft.pipeline.name}' from this browser`);
  } else newPipeline();
}

export function confirmDiscard(): boolean {
  const s = editorStore.getState();
  if (!s.dirty) return true;
  if (!window.confirm('Discard unsaved changes to this pipeline?')) return false;
  clearDraft(s.meta.id);
  return true;
}

/** Opens a saved pipeline; `watchRunId` shows that run of it (from the approvals inbox) instead of its latest. */
export async function openPipeline(id: string, version?: number, options: { watchRunId?: string } = {}): Promise<void> {
  editorStore.setState({ busy: `Opening ${id}…` });
  try {
    const stored = await api.getPipeline(id, version);
    stopWatching();
    const draft = version === undefined ? readDraft(id) : undefined;
    if (draft && draft.baseVersion !== null) {
      loadDocument(draft.pipeline, draft.baseVersion, { dirty: true });
      toast('info', `Restored your unsaved changes to '${id}' (local draft of ${new Date(draft.savedAt).toLocaleString()}, based on v${draft.baseVersion})`);
    } else loadDocument(stored.pipeline, stored.version);
    editorStore.setState({ run: null, runHistory: [], panel: 'pipeline' });
    setUrlPipeline(stored.id);
    if (options.watchRunId) {
      void loadRunHistory();
      await watchRun(options.watchRunId);
    } else void loadRunHistory({ followActive: true });
  } catch (error) {
    toastError(`Could not open pipeline '${id}'`, error);
  } finally {
    editorStore.setState({ busy: null });
  }
}

export function requestOpen(id: string): void {
  if (confirmDiscard()) void openPipeline(id);
}

export function newPipeline(): void {
  stopWatching();
  const previous = editorStore.getState().meta.id;
  if (editorStore.getState().savedVersion === null) clearDraft(previous); // the user chose to discard it
  loadDocument({ ...newPipelineMeta(), nodes: [], edges: [] } as Pipeline, null);
  editorStore.setState({ run: null, runHistory: [], panel: 'pipeline' });
  setUrlPipeline(null);
}

export function requestNew(): void {
  if (confirmDiscard()) newPipeline();
}

/**
 * Saves the document as a new version (or creates it). An invalid one is saved too, as a draft version: the
 * server keeps it (so it is there from another machine) but will not run it until a valid version is saved.
 */
export async function save(): Promise<boolean> {
  const s = editorStore.getState();
  if (!s.dirty && s.savedVersion !== null) {
    toast('info', `Nothing to save: no changes since version ${s.savedVersion}`);
    return true;
  }
  const pipeline = currentPipeline(s);
  const draft = s.validation.errors.length > 0;
  editorStore.setState({ busy: draft ? 'Saving draft…' : 'Saving…' });
  try {
    const stored =
      s.savedVersion === null ? await api.createPipeline(pipeline, draft) : await api.savePipeline(pipeline, s.savedVersion, draft);
    editorStore.setState({ savedVersion: stored.version, dirty: false });
    clearDraft(pipeline.id);
    setUrlPipeline(stored.id);
    if (stored.valid) toast('success', `Saved ${stored.id} as version ${stored.version}`);
    else {
      const count = stored.errors.length;
      toast('info', `Saved v${stored.version} as a draft — ${count} problem${count === 1 ? '' : 's'}; fix them to run`, 6000);
    }
    void refreshPipelines();
    return true;
  } catch (error) {
    // Not on the server (e.g. a draft without a usable id): the local copy still protects the work.
    writeDraft(pipeline, s.savedVersion);
    if (error instanceof ApiError && error.status === 409) {
      toast(
        'error',
        s.savedVersion === null
          ? `A pipeline with id '${pipeline.id}' already exists. Change the id in the Pipeline tab, or open that one.`
          : `Not saved: someone saved a newer version of '${pipeline.id}' since you opened version ${s.savedVersion}. ` +
              `Export your changes to a file, reload the pipeline, and apply them again. (${error.message})`,
      );
    } else toastError('Could not save', error);
    return false;
  } finally {
    editorStore.setState({ busy: null });
  }
}

export async function duplicatePipeline(): Promise<void> {
  const source = currentPipeline();
  const taken = new Set(editorStore.getState().pipelines.map((p) => p.id));
  let id = `${source.id}-copy`.slice(0, 64);
  for (let n = 2; taken.has(id); n++) id = `${source.id}-copy-${n}`.slice(0, 64);
  const copy = { ...source, id, name: `${source.name} (copy)` };
  const stored = await attempt('Could not duplicate', () => api.createPipeline(copy));
  if (!stored) return;
  toast('success', `Duplicated as '${stored.id}'`);
  await refreshPipelines();
  await openPipeline(stored.id);
}

export async function deletePipeline(id: string): Promise<void> {
  if (!window.confirm(`Delete pipeline '${id}' and all its versions?`)) return;
  const done = await attempt('Could not delete', async () => {
    await api.deletePipeline(id);
    return true;
  });
  if (!done) return;
  toast('info', `Deleted '${id}'`);
  await refreshPipelines();
  if (editorStore.getState().meta.id === id) newPipeline();
}

export function exportFile(): void {
  const pipeline = currentPipeline();
  downloadText(`${pipeline.id}.pipeline.json`, JSON.stringify(pipeline, null, 2) + '\n', 'application/json');
}

/** Loads a pipeline file into the editor as an unsaved document (saving creates it, or a new version if it exists). */
export async function importFile(file: File): Promise<void> {
  let document: Pipeline;
  try {
    document = JSON.parse(await file.text());
  } catch (error) {
    toast('error', `${file.name} is not valid JSON: ${(error as Error).message}`);
    return;
  }
  if (!document || typeof document !== 'object' || !Array.isArray(document.nodes) || !Array.isArray(document.edges)) {
    toast('error', `${file.name} is not a pipeline file (it needs "nodes" and "edges" arrays)`);
    return;
  }
  stopWatching();
  const existing = editorStore.getState().pipelines.find((p) => p.id === document.id);
  loadDocument(document, existing ? existing.version : null, { dirty: true });
  editorStore.setState({ run: null, runHistory: [], panel: 'pipeline' });
  toast('info', `Imported ${file.name}${existing ? ` — saving adds a version to '${existing.id}'` : ''}`);
}

/** Restores an old version as the editor's document; saving it makes it the newest version. */
export async function restoreVersion(version: number): Promise<void> {
  const id = editorStore.getState().meta.id;
  const loaded = await attempt(`Could not load version ${version}`, () => Promise.all([api.getPipeline(id, version), api.versions(id)]));
  if (!loaded) return;
  const [stored, versions] = loaded;
  // Based on the newest version, so saving makes the restored content the next version.
  const latest = Math.max(...versions.map((v) => v.version));
  loadDocument(stored.pipeline, latest, { dirty: true });
  editorStore.setState({ versionsOpen: false });
  toast('info', `Version ${version} restored into the editor — Save to make it the newest version`);
}
