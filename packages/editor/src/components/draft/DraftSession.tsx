// A draft read or edited in place, shared by the approval card, the run's node output and "edit output
// before re-run": the read view shows the form read-only; the edit session owns its own editing state
// (a fresh copy of the draft each time it opens) and refuses to submit while the draft does not parse or fit.
import { useState } from 'react';
import type { DraftSource } from '../../lib/draftCheck';
import { DraftEditor, useDraft } from './DraftEditor';

export function DraftReadView({ value, source, context }: { value: unknown; source?: DraftSource; context: string }) {
  if (value === undefined) return <p className="muted small">No output yet.</p>;
  // A new value (the next attempt, another node) starts a new view.
  return <ReadView key={identity(value)} value={value} source={source} context={context} />;
}

function ReadView({ value, source, context }: { value: unknown; source?: DraftSource; context: string }) {
  const draft = useDraft(value, undefined);
  return <DraftEditor draft={draft} nodeType={source?.type} readOnly context={context} />;
}

const ids = new WeakMap<object, number>();
let nextId = 1;
/** A stable key per value object (strings key by themselves). */
function identity(value: unknown): string {
  if (value === null || typeof value !== 'object') return `v:${String(value)}`;
  if (!ids.has(value)) ids.set(value, nextId++);
  return `o:${ids.get(value)}`;
}

export interface DraftEditSessionProps {
  initial: unknown;
  source?: DraftSource;
  inputs?: Record<string, unknown>;
  context: string;
  submitLabel: string;
  submitTestId: string;
  onSubmit(value: unknown): Promise<boolean>;
  onCancel(): void;
}

export function DraftEditSession({ initial, source, inputs, context, submitLabel, submitTestId, onSubmit, onCancel }: DraftEditSessionProps) {
  const draft = useDraft(initial, source, inputs);
  const [sending, setSending] = useState(false);
  const blocked = draft.jsonError
    ? 'The raw JSON does not parse: fix it to submit.'
    : draft.problems.length
      ? `${draft.problems.length} problem${draft.problems.length > 1 ? 's' : ''} to fix before submitting.`
      : null;
  return (
    <div className="draft-session" data-testid="edit-draft" data-context={context}>
      <DraftEditor draft={draft} nodeType={source?.type} context={context} />
      <div className="button-row">
        <button
          className="primary"
          data-testid={submitTestId}
          disabled={sending || !draft.ok}
          title={blocked ?? undefined}
          onClick={async () => {
            setSending(true);
            const ok = await onSubmit(draft.value);
            setSending(false);
            if (ok) onCancel();
          }}
        >
          {submitLabel}
        </button>
        <button onClick={onCancel}>Cancel</button>
        {blocked && (
          <span className="blocked-reason small" data-testid="submit-blocked">
            {blocked}
          </span>
        )}
      </div>
    </div>
  );
}
