// Who did what: the audit list of a run (started, decided, cancelled, resumed) or of a pipeline (its saves
// and its runs), newest last, as the server records it.
import { useEffect, useState } from 'react';
import type { AuditEntry } from '@storyloom/engine';
import { api } from '../api/client';

const VERBS: Record<AuditEntry['action'], string> = {
  'pipeline.created': 'created the pipeline',
  'pipeline.saved': 'saved',
  'pipeline.deleted': 'deleted the pipeline',
  'run.started': 'started the run',
  'run.rerun': 'started a re-run',
  'run.cancelled': 'cancelled the run',
  'run.resumed': 'resumed the run',
  'approval.decided': 'decided',
};

/** One entry in words: "rita (reviewer) rejected cast: “older”". */
function describe(entry: AuditEntry): string {
  const who = `${entry.actor.name} (${entry.actor.role})`;
  const detail = entry.detail as { version?: number; decision?: string; feedback?: string; from?: string };
  if (entry.action === 'approval.decided') {
    const verb = { approve: 'approved', edit: 'edited and approved', reject: 'sent back', choose: 'chose a candidate for' }[detail.decision ?? ''] ?? 'decided';
    return `${who} ${verb} ${entry.nodeId ?? ''}${detail.feedback ? `: “${detail.feedback}”` : ''}`;
  }
  const version = detail.version !== undefined && entry.action.startsWith('pipeline.') ? ` v${detail.version}` : '';
  const from = entry.action === 'run.rerun' && detail.from ? ` from ${detail.from}` : '';
  return `${who} ${VERBS[entry.action]}${version}${from}`;
}

export function AuditList({ runId, pipelineId, refreshKey }: { runId?: string; pipelineId?: string; refreshKey?: string }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  useEffect(() => {
    let live = true;
    const load = runId ? api.runAudit(runId) : pipelineId ? api.pipelineAudit(pipelineId) : Promise.resolve([]);
    load.then((list) => live && setEntries(list), () => live && setEntries([]));
    return () => {
      live = false;
    };
  }, [runId, pipelineId, refreshKey]);
  if (!entries?.length) return null;
  return (
    <details className="audit-list" data-testid="audit-list" open={Boolean(runId)}>
      <summary>Who did what ({entries.length})</summary>
      <ol>
        {entries.map((entry) => (
          <li key={entry.seq} data-action={entry.action} data-actor={entry.actor.name}>
            <time dateTime={entry.at} className="muted small">
              {new Date(entry.at).toLocaleString()}
            </time>{' '}
            {describe(entry)}
          </li>
        ))}
      </ol>
    </details>
  );
}
