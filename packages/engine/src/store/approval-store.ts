// Approval requests, one per (node, attempt). A decision is a conditional UPDATE on `status = 'pending'`,
// so of two racing deciders (in any processes) exactly one wins.
import type { ApprovalDecision } from '../runner/types';
import type { ApprovalRecord, ApprovalStatus } from './contract';
import { nowIso, parseJson, type SqliteDatabase, statement } from './database';

export type { ApprovalRecord, ApprovalStatus } from './contract';

export interface ApprovalRow {
  run_id: string;
  node_id: string;
  attempt: number;
  status: ApprovalStatus;
  decision: string | null;
  requested_at: string;
  decided_at: string | null;
  applied: number;
}

// A choice of candidate is stored like an edit: the chosen (or edited) candidate becomes the node's next attempt.
export const STATUS_OF: Record<ApprovalDecision['decision'], ApprovalStatus> = { approve: 'approved', edit: 'edited', reject: 'rejected', choose: 'edited' };

export class ApprovalStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(runId: string, nodeId: string, attempt: number): ApprovalRecord | undefined {
    const row = statement(this.db, 'SELECT * FROM approvals WHERE run_id = ? AND node_id = ? AND attempt = ?')
      .get(runId, nodeId, attempt) as ApprovalRow | undefined;
    return row && approvalFromRow(row);
  }

  request(runId: string, nodeId: string, attempt: number): void {
    statement(this.db, `INSERT OR IGNORE INTO approvals (run_id, node_id, attempt, status, requested_at) VALUES (?, ?, ?, 'pending', ?)`)
      .run(runId, nodeId, attempt, nowIso());
  }

  /** Records an automatic approval (autoApprove runs) as already decided. */
  autoApprove(runId: string, nodeId: string, attempt: number): void {
    const at = nowIso();
    statement(this.db, 
        `INSERT OR IGNORE INTO approvals (run_id, node_id, attempt, status, decision, requested_at, decided_at, applied)
         VALUES (?, ?, ?, 'approved', ?, ?, ?, 1)`,
      )
      .run(runId, nodeId, attempt, JSON.stringify({ decision: 'approve' }), at, at);
  }

  /** True if this call decided the pending approval; false if it was not pending (someone decided first). */
  decide(runId: string, nodeId: string, decision: ApprovalDecision): boolean {
    return (
      statement(this.db, 
          `UPDATE approvals SET status = ?, decision = ?, decided_at = ? WHERE run_id = ? AND node_id = ? AND status = 'pending'`,
        )
        .run(STATUS_OF[decision.decision], JSON.stringify(decision), nowIso(), runId, nodeId).changes > 0
    );
  }

  markApplied(runId: string, nodeId: string, attempt: number): boolean {
    return (
      statement(this.db, 'UPDATE approvals SET applied = 1 WHERE run_id = ? AND node_id = ? AND attempt = ? AND applied = 0')
        .run(runId, nodeId, attempt).changes > 0
    );
  }

  /** Asks again: the run's rejected requests among `nodeIds` become pending, their decisions dropped; returns them. */
  reopenRejected(runId: string, nodeIds: string[]): ApprovalRecord[] {
    const rows = statement(this.db, `${REOPEN_REJECTED(() => '?')} AND node_id IN (SELECT value FROM json_each(?)) RETURNING *`)
      .all(nowIso(), runId, JSON.stringify(nodeIds)) as ApprovalRow[];
    return rows.map(approvalFromRow);
  }

  pending(runId?: string): ApprovalRecord[] {
    const rows = statement(this.db, `SELECT * FROM approvals WHERE status = 'pending' AND (@runId IS NULL OR run_id = @runId) ORDER BY requested_at, node_id`)
      .all({ runId: runId ?? null }) as ApprovalRow[];
    return rows.map(approvalFromRow);
  }

  /** Decisions stored but not yet carried out by a driving process. */
  decidedNotApplied(runId: string): ApprovalRecord[] {
    const rows = statement(this.db, `SELECT * FROM approvals WHERE run_id = ? AND status != 'pending' AND applied = 0 ORDER BY decided_at`)
      .all(runId) as ApprovalRow[];
    return rows.map(approvalFromRow);
  }

  /** Every reject feedback given to a node so far, oldest first. */
  feedback(runId: string, nodeId: string): string[] {
    const rows = statement(this.db, `SELECT decision FROM approvals WHERE run_id = ? AND node_id = ? AND status = 'rejected' ORDER BY attempt`)
      .all(runId, nodeId) as Array<{ decision: string }>;
    return rows.map((row) => (JSON.parse(row.decision) as { feedback: string }).feedback);
  }
}

/** The reopening update up to its node filter (placeholders: the new request time, the run). */
export const REOPEN_REJECTED = (p: (n: number) => string): string =>
  `UPDATE approvals SET status = 'pending', decision = NULL, decided_at = NULL, applied = 0, requested_at = ${p(1)}
   WHERE run_id = ${p(2)} AND status = 'rejected'`;

export function approvalFromRow(row: ApprovalRow): ApprovalRecord {
  return {
    runId: row.run_id,
    nodeId: row.node_id,
    attempt: row.attempt,
    status: row.status,
    decision: parseJson<ApprovalDecision>(row.decision),
    requestedAt: row.requested_at,
    decidedAt: row.decided_at ?? undefined,
    applied: row.applied === 1,
  };
}
