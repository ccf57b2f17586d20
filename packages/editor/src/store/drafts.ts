// Local copies of unsaved edits: the editor autosaves the document being edited to localStorage (per pipeline
// id), so a reload or crash of the tab loses nothing: opening the pipeline again offers the copy back. Saved
// drafts (invalid pipelines) live on the server as draft versions (see `save` in pipelineActions); this copy
// only covers what has not been saved yet.
import type { Pipeline } from '@storyloom/engine';

const PREFIX = 'storyloom.draft.';
const LAST = 'storyloom.lastDraft';

export interface LocalDraft {
  pipeline: Pipeline;
  baseVersion: number | null;
  savedAt: string;
}

export function writeDraft(pipeline: Pipeline, baseVersion: number | null): void {
  try {
    localStorage.setItem(PREFIX + pipeline.id, JSON.stringify({ pipeline, baseVersion, savedAt: new Date().toISOString() } satisfies LocalDraft));
    localStorage.setItem(LAST, pipeline.id);
  } catch {
    // Storage full or disabled: drafts are a convenience, never a reason to fail an edit.
  }
}

export function readDraft(id: string): LocalDraft | undefined {
  try {
    const text = localStorage.getItem(PREFIX + id);
    return text ? (JSON.parse(text) as LocalDraft) : undefined;
  } catch {
    return undefined;
  }
}

export function lastDraftId(): string | null {
  try {
    return localStorage.getItem(LAST);
  } catch {
    return null;
  }
}

export function clearDraft(id: string): void {
  try {
    localStorage.removeItem(PREFIX + id);
    if (localStorage.getItem(LAST) === id) localStorage.removeItem(LAST);
  } catch {
    // ignore
  }
}
