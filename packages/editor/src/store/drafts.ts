// Local drafts: the server stores only valid pipelines, so the editor keeps the document being edited in
// localStorage (per pipeline id). An invalid pipeline is "saved as a draft" here, and a reload or crash of
// the tab loses nothing: opening the pipeline again offers the draft back.
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
