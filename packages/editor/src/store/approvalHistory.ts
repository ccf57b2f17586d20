// Every draft a gate asked about, per node, with the feedback each rejected one got: what the approval card
// shows as "attempt n", "your feedback" and the comparison with the previous attempt. Folded from the run's
// event log, which the server replays from the start whenever the editor follows a run.
import type { RunEvent } from '@storyloom/engine';

export interface ApprovalAttempt {
  /** The node's output attempt (1 for the first draft). */
  attempt: number;
  draft: unknown;
  decision?: string;
  feedback?: string;
}

export type ApprovalHistory = Record<string, ApprovalAttempt[]>;

export function recordApprovalEvent(history: ApprovalHistory, event: RunEvent): ApprovalHistory {
  const nodeId = event.nodeId;
  if (!nodeId) return history;
  const data = (event.data ?? {}) as Record<string, unknown>;
  // A budget check before a node is not one of its drafts: it neither counts as an attempt nor gets feedback.
  if (data.kind === 'budget') return history;
  const attempts = history[nodeId] ?? [];
  if (event.type === 'approval.requested') {
    const attempt = typeof data.attempt === 'number' ? data.attempt : attempts.length + 1;
    return { ...history, [nodeId]: [...attempts.filter((a) => a.attempt !== attempt), { attempt, draft: data.draft }] };
  }
  if (event.type === 'approval.resolved' && attempts.length > 0) {
    const last = attempts[attempts.length - 1];
    const decided = { ...last, decision: String(data.decision ?? ''), feedback: typeof data.feedback === 'string' ? data.feedback : undefined };
    return { ...history, [nodeId]: [...attempts.slice(0, -1), decided] };
  }
  return history;
}
