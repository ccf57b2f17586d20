// Run rows: status, the pipeline snapshot a run executes, and the lease that lets one process drive it.
import type { Actor } from '../contract/actor';
import type { ModelSpec } from '../pipeline/schema';
import type { Budget, RunStatus } from '../runner/types';
import type { LeaseClaim, LeaseClaimResult, NewRun, RunDriveState, RunLease, RunListFilter, RunPosition, RunRecord } from './contract';
import { nowIso, parseJson, writeTransaction, type SqliteDatabase, statement } from './database';

export type { LeaseClaim, NewRun, RunRecord } from './contract';

export interface RunRow {
  id: string;
  pipeline_id: string;
  version: number | null;
  status: RunStatus;
  inputs: string;
  model: string | null;
  pipeline: string;
  auto_approve: number;
  parent_run_id: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  cancel_requested: number;
  lease_owner: string | null;
  lease_host: string | null;
  lease_pid: number | null;
  lease_expires: number | null;
  lease_epoch: number;
  lease_started: string | null;
  started_by: string | null;
  cancelled_by: string | null;
  budget: string | null;
}

/** The columns an orphan scan reads: no pipeline or inputs to parse. */
export const DRIVE_STATE_COLUMNS = 'id, status, created_at, updated_at, lease_owner, lease_host, lease_pid, lease_started, lease_expires, lease_epoch';
export type DriveStateRow = Pick<RunRow, 'id' | 'status' | 'created_at' | 'updated_at' | 'lease_owner' | 'lease_host' | 'lease_pid' | 'lease_started' | 'lease_expires' | 'lease_epoch'>;

export class RunStore {
  constructor(private readonly db: SqliteDatabase) {}

  insert(run: NewRun): void {
    const at = nowIso();
    statement(this.db, 
        `INSERT INTO runs (id, pipeline_id, version, status, inputs, model, pipeline, auto_approve, parent_run_id, started_by, budget, created_at, updated_at)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.id,
        run.pipelineId,
        run.version,
        JSON.stringify(run.inputs),
        run.model === undefined ? null : JSON.stringify(run.model),
        JSON.stringify(run.pipeline),
        run.autoApprove ? 1 : 0,
        run.parentRunId ?? null,
        jsonOrNull(run.startedBy),
        run.budget ? JSON.stringify(run.budget) : null,
        at,
        at,
      );
  }

  get(id: string): RunRecord | undefined {
    const row = statement(this.db, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && runFromRow(row);
  }

  /** The write transaction around the caller already holds the database: a plain read. */
  lock(id: string): RunRecord | undefined {
    return this.get(id);
  }

  countByStatus(): Partial<Record<RunStatus, number>> {
    const rows = statement(this.db, 'SELECT status, COUNT(*) AS count FROM runs GROUP BY status').all() as Array<{ status: RunStatus; count: number }>;
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  list(filter: RunListFilter = {}): RunRecord[] {
    const rows = statement(this.db, 
        `SELECT * FROM runs WHERE (@pipelineId IS NULL OR pipeline_id = @pipelineId) AND (@status IS NULL OR status = @status) ORDER BY created_at DESC, id`,
      )
      .all({ pipelineId: filter.pipelineId ?? null, status: filter.status ?? null }) as RunRow[];
    return rows.map(runFromRow);
  }

  driveStates(statuses: readonly RunStatus[]): RunDriveState[] {
    const rows = statement(this.db, `SELECT ${DRIVE_STATE_COLUMNS} FROM runs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`).all(
      JSON.stringify(statuses),
    ) as DriveStateRow[];
    return rows.map(driveStateFromRow);
  }

  /** Reads one more run than asked, so the caller knows whether a next page exists. */
  page(filter: RunListFilter, limit: number, after?: RunPosition): { runs: RunRecord[]; more: boolean } {
    const rows = statement(this.db,
        `SELECT * FROM runs WHERE (@pipelineId IS NULL OR pipeline_id = @pipelineId) AND (@status IS NULL OR status = @status)
           AND (@afterAt IS NULL OR created_at < @afterAt OR (created_at = @afterAt AND id < @afterId))
         ORDER BY created_at DESC, id DESC LIMIT @take`,
      )
      .all({
        pipelineId: filter.pipelineId ?? null,
        status: filter.status ?? null,
        afterAt: after?.createdAt ?? null,
        afterId: after?.id ?? null,
        take: limit + 1,
      }) as RunRow[];
    return { runs: rows.slice(0, limit).map(runFromRow), more: rows.length > limit };
  }

  setStatus(id: string, status: RunStatus, error?: string | null): void {
    statement(this.db, 'UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE id = ?')
      .run(status, error ?? null, nowIso(), id);
  }

  touch(id: string): void {
    statement(this.db, 'UPDATE runs SET updated_at = ? WHERE id = ?').run(nowIso(), id);
  }

  setBudget(id: string, budget: Budget | null): void {
    statement(this.db, 'UPDATE runs SET budget = ?, updated_at = ? WHERE id = ?').run(budget ? JSON.stringify(budget) : null, nowIso(), id);
  }

  requestCancel(id: string, actor?: Actor): void {
    statement(this.db, 'UPDATE runs SET cancel_requested = 1, cancelled_by = ?, updated_at = ? WHERE id = ?').run(jsonOrNull(actor), nowIso(), id);
  }

  clearCancel(id: string): void {
    statement(this.db, 'UPDATE runs SET cancel_requested = 0, cancelled_by = NULL WHERE id = ?').run(id);
  }

  isCancelRequested(id: string): boolean {
    const row = statement(this.db, 'SELECT cancel_requested FROM runs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
    return row?.cancel_requested === 1;
  }

  /** Takes the lease if it is free, expired, ours, or held by a dead process; returns the live holder otherwise. */
  claimLease(id: string, claim: LeaseClaim): LeaseClaimResult {
    return writeTransaction(this.db, () => {
      const run = this.get(id);
      if (!run) return { ok: false, holder: '' };
      const lease = run.lease;
      if (lease && lease.owner !== claim.owner && lease.expiresAt > Date.now() && !claim.holderIsGone(lease)) {
        return { ok: false, holder: lease.owner };
      }
      // Taking it over from another holder moves the epoch on, so that holder's fenced writes are refused.
      const epoch = lease?.owner === claim.owner ? lease.epoch : (this.epochOf(id) ?? 0) + 1;
      statement(this.db, 'UPDATE runs SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_started = ?, lease_expires = ?, lease_epoch = ? WHERE id = ?')
        .run(claim.owner, claim.host, claim.pid, claim.started ?? null, Date.now() + claim.ttlMs, epoch, id);
      return { ok: true, epoch };
    });
  }

  renewLease(id: string, owner: string, ttlMs: number, epoch?: number): boolean {
    return (
      statement(this.db, 'UPDATE runs SET lease_expires = ? WHERE id = ? AND lease_owner = ? AND (? IS NULL OR lease_epoch = ?)')
        .run(Date.now() + ttlMs, id, owner, epoch ?? null, epoch ?? null).changes > 0
    );
  }

  holdsLease(id: string, owner: string, epoch: number): boolean {
    return statement(this.db, 'SELECT 1 FROM runs WHERE id = ? AND lease_owner = ? AND lease_epoch = ?').get(id, owner, epoch) !== undefined;
  }

  private epochOf(id: string): number | undefined {
    return (statement(this.db, 'SELECT lease_epoch FROM runs WHERE id = ?').get(id) as { lease_epoch: number } | undefined)?.lease_epoch;
  }

  releaseLease(id: string, owner: string): void {
    statement(
      this.db,
      'UPDATE runs SET lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_started = NULL, lease_expires = NULL WHERE id = ? AND lease_owner = ?',
    ).run(id, owner);
  }
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    version: row.version,
    status: row.status,
    inputs: JSON.parse(row.inputs),
    model: parseJson<ModelSpec>(row.model),
    pipeline: JSON.parse(row.pipeline),
    autoApprove: row.auto_approve === 1,
    parentRunId: row.parent_run_id ?? undefined,
    error: row.error ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    cancelRequested: row.cancel_requested === 1,
    ...(row.started_by ? { startedBy: JSON.parse(row.started_by) as Actor } : {}),
    ...(row.cancelled_by ? { cancelledBy: JSON.parse(row.cancelled_by) as Actor } : {}),
    lease: leaseFromRow(row),
    ...(row.budget ? { budget: JSON.parse(row.budget) as Budget } : {}),
  };
}

/** An optional JSON column's value. */
export function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function driveStateFromRow(row: DriveStateRow): RunDriveState {
  return { id: row.id, status: row.status, createdAt: row.created_at, updatedAt: row.updated_at, lease: leaseFromRow(row) };
}

function leaseFromRow(row: Omit<DriveStateRow, 'id' | 'status' | 'created_at' | 'updated_at'>): RunLease | undefined {
  if (row.lease_owner === null) return undefined;
  return {
    owner: row.lease_owner,
    host: row.lease_host ?? '',
    pid: row.lease_pid ?? 0,
    ...(row.lease_started === null ? {} : { started: row.lease_started }),
    expiresAt: row.lease_expires ?? 0,
    epoch: row.lease_epoch,
  };
}
