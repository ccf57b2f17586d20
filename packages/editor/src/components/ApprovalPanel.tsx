// Pending approvals of the watched run, each a card titled by the node's label: the draft as a form,
// which attempt it is, the feedback the last one got and what changed since; approve, edit in place, or
// send back with feedback. A node that wrote candidates shows them side by side to choose from; a gate
// raised by the content checks shows what they flagged; a budget check before a node shows the spending and asks
// whether to go on. Several may be pending at once; each is decided on its own.
import { useState } from 'react';
import { type PendingApproval, screenplaySceneText } from '@storyloom/engine';
import { storyDiff } from '../lib/storyDiff';
import { selectNode } from '../store/documentActions';
import { decide, rejectWithComments } from '../store/runActions';
import { decisionBlock, roleNote } from '../store/me';
import { useEditor } from '../store/state';
import { BudgetGateCard } from './BudgetGateCard';
import { CandidateChoice } from './CandidateChoice';
import { DraftWithComments, sceneNumbersOf } from './CommentThreads';
import { DraftEditSession, DraftReadView } from './draft/DraftSession';
import { PolicyFlags, policyFlagsIn } from './PolicyFlags';
import { ReviewContinuity, isReview } from './ReviewContinuity';
import { StoryDiffView } from './StoryDiffView';

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

/** The node a run's approval belongs to, as drawn in the open pipeline. */
export function useRunNode(nodeId: string) {
  const node = useEditor((s) => s.nodes.find((n) => n.id === nodeId));
  const typeTitle = useEditor((s) => s.catalogue.find((t) => t.type === node?.data.type)?.title);
  return {
    label: node?.data.label || typeTitle || nodeId,
    typeTitle: typeTitle ?? node?.data.type,
    source: node ? { type: node.data.type, config: node.data.config as Record<string, unknown> | undefined } : undefined,
  };
}

/** One empty object for runs without outputs yet, so the selector's answer keeps its identity. */
const NO_OUTPUTS: Record<string, unknown> = {};

function ApprovalCard({ approval }: { approval: PendingApproval }) {
  const [mode, setMode] = useState<'view' | 'edit' | 'reject'>('view');
  const [session, setSession] = useState(0);
  const [feedback, setFeedback] = useState('');
  const [sending, setSending] = useState(false);
  const node = useRunNode(approval.nodeId);
  const attempts = useEditor((s) => s.run?.approvals[approval.nodeId]) ?? [];
  const runInputs = useEditor((s) => s.run?.view?.inputs);
  const runId = useEditor((s) => s.run?.id);
  const runOutputs = useEditor((s) => s.run?.outputs ?? NO_OUTPUTS);
  const current = attempts[attempts.length - 1];
  const previous = attempts.length > 1 ? attempts[attempts.length - 2] : undefined;
  const attemptNumber = attempts.length || 1;
  const candidates = approval.candidates?.length ? approval.candidates : undefined;
  const flags = approval.kind === 'policy' ? policyFlagsIn(approval.draft) : [];
  // What the server would refuse this person: approving (and editing, choosing) or even sending back.
  const approveBlock = useEditor((s) => decisionBlock(s, approval.nodeId, 'approve'));
  const rejectBlock = useEditor((s) => decisionBlock(s, approval.nodeId, 'reject'));
  // Going past a budget is for those who may change runs, whoever the gate after it is assigned to.
  const budgetBlock = useEditor((s) => roleNote(s, 'author'));

  const send = async (decision: Parameters<typeof decide>[1]) => {
    setSending(true);
    const ok = await decide(approval.nodeId, decision);
    if (!ok) setSending(false);
    return ok;
  };

  if (approval.kind === 'budget') {
    return (
      <article className="approval-card" data-approval={approval.nodeId} data-kind="budget" aria-label={`Budget check before ${node.label}`}>
        <header>
          <div>
            <h5 className="card-title">
              Budget check before{' '}
              <button className="link" onClick={() => selectNode(approval.nodeId)} title="Show this node on the canvas">
                {node.label}
              </button>
            </h5>
            <span className="muted small">{node.typeTitle}</span>
          </div>
        </header>
        <BudgetGateCard label={node.label} draft={approval.draft} disabled={sending} blocked={budgetBlock} onDecide={send} />
      </article>
    );
  }

  return (
    <article
      className="approval-card"
      data-approval={approval.nodeId}
      data-attempt={attemptNumber}
      data-kind={approval.kind ?? (candidates ? 'candidates' : 'draft')}
      aria-label={`Approval: ${node.label}`}
    >
      <header>
        <div>
          <h5 className="card-title">
            <button className="link" onClick={() => selectNode(approval.nodeId)} title="Show this node on the canvas">
              {node.label}
            </button>
          </h5>
          <span className="muted small">
            {node.typeTitle} · <span data-testid="attempt-number">attempt {attemptNumber}</span>
          </span>
        </div>
      </header>
      {previous?.feedback && (
        <div className="feedback-given" data-testid="feedback-given">
          <span className="small muted">Your feedback on attempt {attemptNumber - 1}</span>
          <blockquote>{previous.feedback}</blockquote>
        </div>
      )}
      {previous && current && (
        <details className="attempt-diff" open>
          <summary>What changed since attempt {attemptNumber - 1}</summary>
          <StoryDiffView
            diff={storyDiff(node.source?.type, previous.draft, current.draft, screenplaySceneText)}
            beforeLabel={`attempt ${attemptNumber - 1}`}
            afterLabel={`attempt ${attemptNumber}`}
          />
        </details>
      )}
      {approveBlock && (
        <p className="decision-blocked small" data-testid="decision-blocked">
          {approveBlock}
        </p>
      )}
      {approval.kind === 'policy' && <PolicyFlags flags={flags} />}
      {isReview(approval.draft) && mode === 'view' && <ReviewContinuity review={approval.draft} outputs={runOutputs} />}
      {candidates && mode !== 'reject' ? (
        <CandidateChoice
          candidates={candidates}
          source={node.source}
          inputs={runInputs}
          disabled={sending || !!approveBlock}
          onChoose={(candidate, output) => send(output === undefined ? { decision: 'choose', candidate } : { decision: 'choose', candidate, output })}
        />
      ) : mode === 'edit' ? (
        <DraftEditSession
          key={session}
          initial={approval.draft}
          source={node.source}
          inputs={runInputs}
          context="approval"
          submitLabel="Submit edit"
          submitTestId="submit-edit"
          onSubmit={(output) => send({ decision: 'edit', output })}
          onCancel={() => setMode('view')}
        />
      ) : runId ? (
        <DraftWithComments
          runId={runId}
          nodeId={approval.nodeId}
          scenes={sceneNumbersOf(approval.draft)}
          version={attemptNumber}
          onSendBack={() => rejectWithComments(approval.nodeId)}
        >
          <DraftReadView value={approval.draft} source={node.source} context="approval" />
        </DraftWithComments>
      ) : (
        <DraftReadView value={approval.draft} source={node.source} context="approval" />
      )}
      {mode === 'reject' && (
        <label className="field">
          <span className="field-label">What should change? The node rewrites with this feedback.</span>
          <textarea rows={3} value={feedback} data-testid="reject-feedback" onChange={(e) => setFeedback(e.target.value)} autoFocus />
        </label>
      )}
      <div className="button-row">
        {mode === 'view' && candidates && (
          <button className="danger" data-testid="reject-button" disabled={sending || !!rejectBlock} title={rejectBlock} onClick={() => setMode('reject')}>
            Send all back…
          </button>
        )}
        {mode === 'view' && !candidates && (
          <>
            <button className="primary" data-testid="approve-button" disabled={sending || !!approveBlock} title={approveBlock} onClick={() => void send({ decision: 'approve' })}>
              Approve
            </button>
            {approval.kind !== 'policy' && (
              <button
                data-testid="edit-button"
                disabled={sending || !!approveBlock}
                title={approveBlock}
                onClick={() => {
                  setSession((n) => n + 1);
                  setMode('edit');
                }}
              >
                Edit
              </button>
            )}
            <button className="danger" data-testid="reject-button" disabled={sending || !!rejectBlock} title={rejectBlock} onClick={() => setMode('reject')}>
              Send back…
            </button>
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
    </article>
  );
}
