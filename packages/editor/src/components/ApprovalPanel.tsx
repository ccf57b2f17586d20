// Pending approvals of the watched run: approve, edit the draft in place, or reject with feedback.
// Each approval is decided on its own; several may be pending at once.
import { useState } from 'react';
import type { PendingApproval } from '@storyloom/engine';
import { outputText } from '../lib/diff';
import { decide } from '../store/runActions';
import { selectNode } from '../store/documentActions';
import { useEditor } from '../store/state';
import { JsonEditor } from './fields';
import { OutputPreview } from './OutputPreview';

export function ApprovalPanel() {
  const pending = useEditor((s) => s.run?.pending);
  if (!pending?.length) return null;
  return (
    <section className="approval-panel" data-testid="approval-panel">
      <h4 className="subhead">Waiting for your decision ({pending.length})</h4>
      {pending.map((approval) => (
        <ApprovalCard key={approval.nodeId} approval={approval} />
      ))}
    </section>
  );
}

function ApprovalCard({ approval }: { approval: PendingApproval }) {
  const [mode, setMode] = useState<'view' | 'edit' | 'reject'>('view');
  const [edited, setEdited] = useState<unknown>(approval.draft);
  const [textDraft, setTextDraft] = useState(() => outputText(approval.draft));
  const [feedback, setFeedback] = useState('');
  const [sending, setSending] = useState(false);
  const isText = typeof approval.draft === 'string';

  const send = async (decision: Parameters<typeof decide>[1]) => {
    setSending(true);
    const ok = await decide(approval.nodeId, decision);
    if (!ok) setSending(false);
  };

  return (
    <div className="approval-card" data-approval={approval.nodeId}>
      <header>
        <button className="link" onClick={() => selectNode(approval.nodeId)}>
          {approval.nodeId}
        </button>
        <span className="muted small">draft ready for review</span>
      </header>
      {mode === 'edit' ? (
        isText ? (
          <textarea className="mono" rows={10} value={textDraft} data-testid="edit-draft" onChange={(e) => setTextDraft(e.target.value)} />
        ) : (
          <JsonEditor value={approval.draft} onChange={setEdited} rows={12} testId="edit-draft" />
        )
      ) : (
        <OutputPreview value={approval.draft} />
      )}
      {mode === 'reject' && (
        <textarea rows={3} placeholder="What should change? The node rewrites with this feedback." value={feedback} data-testid="reject-feedback" onChange={(e) => setFeedback(e.target.value)} autoFocus />
      )}
      <div className="button-row">
        {mode === 'view' && (
          <>
            <button className="primary" data-testid="approve-button" disabled={sending} onClick={() => void send({ decision: 'approve' })}>
              Approve
            </button>
            <button data-testid="edit-button" disabled={sending} onClick={() => setMode('edit')}>
              Edit
            </button>
            <button className="danger" data-testid="reject-button" disabled={sending} onClick={() => setMode('reject')}>
              Reject…
            </button>
          </>
        )}
        {mode === 'edit' && (
          <>
            <button
              className="primary"
              data-testid="submit-edit"
              disabled={sending || edited === undefined}
              onClick={() => void send({ decision: 'edit', output: isText ? textDraft : edited })}
            >
              Submit edit
            </button>
            <button onClick={() => setMode('view')}>Cancel</button>
          </>
        )}
        {mode === 'reject' && (
          <>
            <button className="danger" data-testid="submit-reject" disabled={sending || !feedback.trim()} onClick={() => void send({ decision: 'reject', feedback: feedback.trim() })}>
              Send back with feedback
            </button>
            <button onClick={() => setMode('view')}>Cancel</button>
          </>
        )}
      </div>
    </div>
  );
}
