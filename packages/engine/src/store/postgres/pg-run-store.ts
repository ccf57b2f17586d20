// Run rows in PostgreSQL: status, the pipeline snapshot, the cancel flag and the lease with its epoch.
// Claiming a lease locks the row (`FOR UPDATE`) so two workers cannot both take a run.
import type { Actor } from '../../contract/actor';
import type { Budget, RunStatus } from '../../runner/types';
import type { LeaseClaim, LeaseClaimResult, NewRun, RunDriveState, RunListFilter, RunPosition, RunRecord, RunRepository } from '../contract';
import { nowIso } from '../database';
import { DRIVE_STATE_COLUMNS, driveStateFromRow, type DriveStateRow, jsonOrNull, runFromRow, type RunRow } from '../run-store';
import type { InTransaction } from './pg-pipeline-store';
import { changed, firstRow, type Queryable, rowsOf } from './queryable';

export class PgRunStore implements RunRepository {
  constructor(
    private readonly db: Queryable,
    private readonly inTransaction: InTransaction,
  ) {}

  async insert(run: NewRun): Promise<void> {
    const at = nowIso();
    await this.db.query(
      `INSERT INTO runs (id, pipeline_id, version, status, inputs, model, pipeline, auto_approve, parent_run_id, created_at, updated_at, budget, started_by)
       VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $9, $10, $11)`,
      [
        run.id,
        run.pipelineId,
        run.version,
        JSON.stringify(run.inputs),
        run.model === undefined ? null : JSON.stringify(run.model),
        JSON.stringify(run.pipeline),
        run.autoApprove ? 1 : 0,
        run.parentRunId ?? null,
        at,
        run.budget ? JSON.stringify(run.budget) : null,
        jsonOrNull(run.startedBy),
      ],
    );
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = await firstRow<RunRow>(this.db, 'SELECT * FROM runs WHERE id = $1', [id]);
    return row && runFromRow(row);
  }

  async lock(id: string): Promise<RunRecord | undefined> {
    const row = await firstRow<RunRow>(this.db, 'SELECT * FROM runs WHERE id = $1 FOR UPDATE', [id]);
    return row && runFromRow(row);
  }

  async list(filter: RunListFilter = {}): Promise<RunRecord[]> {
    const rows = await rowsOf<RunRow>(
      this.db,
      `SELECT * FROM runs WHERE ($1::text IS NULL OR pipeline_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, id`,
      [filter.pipelineId ?? null, filter.status ?? null],
    );
    return rows.map(runFromRow);
  }

  async driveStates(statuses: readonly RunStatus[]): Promise<RunDriveState[]> {
    const rows = await rowsOf<DriveStateRow>(this.db, `SELECT ${DRIVE_STATE_COLUMNS} FROM runs WHERE status = ANY($1::text[]) ORDER BY created_at, id`, [
      [...statuses],
    ]);
    return rows.map(driveStateFromRow);
  }

  /** Reads one more run than asked, so the caller knows whether a next page exists. */
  async page(filter: RunListFilter, limit: number, after?: RunPosition): Promise<{ runs: RunRecord[]; more: boolean }> {
    const rows = await rowsOf<RunRow>(
      this.db,
      `SELECT * FROM runs WHERE ($1::text IS NULL OR pipeline_id = $1) AND ($2::text IS NULL OR status = $2)
         AND ($3::text IS NULL OR created_at < $3 OR (created_at = $3 AND id < $4))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [filter.pipelineId ?? null, filter.status ?? null, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
    return { runs: rows.slice(0, limit).map(runFromRow), more: rows.length > limit };
  }

  async countByStatus(): Promise<Partial<Record<RunStatus, number>>> {
    const rows = await rowsOf<{ status: RunStatus; count: number }>(this.db, 'SELECT status, COUNT(*) AS count FROM runs GROUP BY status');
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  async setStatus(id: string, status: RunStatus, error?: string | null): Promise<void> {
    await this.db.query('UPDATE runs SET status = $1, error = $2, updated_at = $3 WHERE id = $4', [status, error ?? null, nowIso(), id]);
  }

  async touch(id: string): Promise<void> {
    await this.db.query('UPDATE runs SET updated_at = $1 WHERE id = $2', [nowIso(), id]);
  }

  async setBudget(id: string, budget: Budget | null): Promise<void> {
    await this.db.query('UPDATE runs SET budget = $1, updated_at = $2 WHERE id = $3', [budget ? JSON.stringify(budget) : null, nowIso(), id]);
  }

  async requestCancel(id: string, actor?: Actor): Promise<void> {
    await this.db.query('UPDATE runs SET cancel_requested = 1, cancelled_by = $3, updated_at = $1 WHERE id = $2', [nowIso(), id, jsonOrNull(actor)]);
    // Whichever worker drives the run hears this at once (see PgNotifications).
    await this.db.query(`SELECT pg_notify('storyloom_cancel', $1)`, [id]);
  }

  async clearCancel(id: string): Promise<void> {
    await this.db.query('UPDATE runs SET cancel_requested = 0, cancelled_by = NULL WHERE id = $1', [id]);
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const row = await firstRow<{ cancel_requested: number }>(this.db, 'SELECT cancel_requested FROM runs WHERE id = $1', [id]);
    return row?.cancel_requested === 1;
  }

  async claimLease(id: string, claim: LeaseClaim): Promise<LeaseClaimResult> {
    return this.inTransaction(async (db) => {
      const run = await new PgRunStore(db, this.inTransaction).lock(id);
      if (!run) return { ok: false, holder: '' };
      const lease = run.lease;
      if (lease && lease.owner !== claim.owner && lease.expiresAt > Date.now() && !claim.holderIsGone(lease)) {
        return { ok: false, holder: lease.owner };
      }
      const row = await firstRow<{ lease_epoch: number }>(
        db,
        `UPDATE runs SET lease_owner = $1, lease_host = $2, lease_pid = $3, lease_expires = $4, lease_started = $6,
           lease_epoch = CASE WHEN lease_owner = $1 THEN lease_epoch ELSE lease_epoch + 1 END
         WHERE id = $5 RETURNING lease_epoch`,
        [claim.owner, claim.host, claim.pid, Date.now() + claim.ttlMs, id, claim.started ?? null],
      );
      return { ok: true, epoch: row!.lease_epoch };
    });
  }

  async renewLease(id: string, owner: string, ttlMs: number, epoch?: number): Promise<boolean> {
    return changed(this.db, 'UPDATE runs SET lease_expires = $1 WHERE id = $2 AND lease_owner = $3 AND ($4::int IS NULL OR lease_epoch = $4)', [
      Date.now() + ttlMs,
      id,
      owner,
      epoch ?? null,
    ]);
  }

  async holdsLease(id: string, owner: string, epoch: number): Promise<boolean> {
    return (await firstRow(this.db, 'SELECT 1 FROM runs WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 FOR UPDATE', [id, owner, epoch])) !== undefined;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db.query('UPDATE runs SET lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_started = NULL, lease_expires = NULL WHERE id = $1 AND lease_owner = $2', [
      id,
      owner,
    ]);
  }
}
