// Approval requests in PostgreSQL, one per (node, attempt). A decision is a conditional UPDATE on
// `status = 'pending'`, so of two racing deciders (on any servers) exactly one wins.
import type { ApprovalDecision } from '../../runner/types';
import type { ApprovalRecord, ApprovalRepository } from '../contract';
import { nowIso } from '../database';
import { approvalFromRow, type ApprovalRow, REOPEN_REJECTED, STATUS_OF } from '../approval-store';
import { changed, firstRow, type Queryable, rowsOf } from './queryable';

export class PgApprovalStore implements ApprovalRepository {
  constructor(private readonly db: Queryable) {}

  async get(runId: string, nodeId: string, attempt: number): Promise<ApprovalRecord | undefined> {
    const row = await firstRow<ApprovalRow>(this.db, 'SELECT * FROM approvals WHERE run_id = $1 AND node_id = $2 AND attempt = $3', [runId, nodeId, attempt]);
    return row && approvalFromRow(row);
  }

  async request(runId: string, nodeId: string, attempt: number): Promise<void> {
    await this.db.query(
      `INSERT INTO approvals (run_id, node_id, attempt, status, requested_at) VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT DO NOTHING`,
      [runId, nodeId, attempt, nowIso()],
    );
  }

  async autoApprove(runId: string, nodeId: string, attempt: number): Promise<void> {
    const at = nowIso();
    await this.db.query(
      `INSERT INTO approvals (run_id, node_id, attempt, status, decision, requested_at, decided_at, applied)
       VALUES ($1, $2, $3, 'approved', $4, $5, $5, 1) ON CONFLICT DO NOTHING`,
      [runId, nodeId, attempt, JSON.stringify({ decision: 'approve' }), at],
    );
  }

  async decide(runId: string, nodeId: string, decision: ApprovalDecision): Promise<boolean> {
    return changed(
      this.db,
      `UPDATE approvals SET status = $1, decision = $2, decided_at = $3 WHERE run_id = $4 AND node_id = $5 AND status = 'pending'`,
      [STATUS_OF[decision.decision], JSON.stringify(decision), nowIso(), runId, nodeId],
    );
  }

  async markApplied(runId: string, nodeId: string, attempt: number): Promise<boolean> {
    return changed(this.db, 'UPDATE approvals SET applied = 1 WHERE run_id = $1 AND node_id = $2 AND attempt = $3 AND applied = 0', [runId, nodeId, attempt]);
  }

  async reopenRejected(runId: string, nodeIds: string[]): Promise<ApprovalRecord[]> {
    const sql = `${REOPEN_REJECTED((n) => `$${n}`)} AND node_id = ANY($3::text[]) RETURNING *`;
    return (await rowsOf<ApprovalRow>(this.db, sql, [nowIso(), runId, nodeIds])).map(approvalFromRow);
  }

  async pending(runId?: string): Promise<ApprovalRecord[]> {
    const rows = await rowsOf<ApprovalRow>(
      this.db,
      `SELECT * FROM approvals WHERE status = 'pending' AND ($1::text IS NULL OR run_id = $1) ORDER BY requested_at, node_id`,
      [runId ?? null],
    );
    return rows.map(approvalFromRow);
  }

  async decidedNotApplied(runId: string): Promise<ApprovalRecord[]> {
    const rows = await rowsOf<ApprovalRow>(
      this.db,
      `SELECT * FROM approvals WHERE run_id = $1 AND status != 'pending' AND applied = 0 ORDER BY decided_at`,
      [runId],
    );
    return rows.map(approvalFromRow);
  }

  async feedback(runId: string, nodeId: string): Promise<string[]> {
    const rows = await rowsOf<{ decision: string }>(
      this.db,
      `SELECT decision FROM approvals WHERE run_id = $1 AND node_id = $2 AND status = 'rejected' ORDER BY attempt`,
      [runId, nodeId],
    );
    return rows.map((row) => (JSON.parse(row.decision) as { feedback: string }).feedback);
  }
}
