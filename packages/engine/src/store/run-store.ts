// Run rows: status, the pipeline snapshot a run executes, and the lease that lets one process drive it.
import type { ModelSpec, Pipeline, RunInputs } from '../pipeline/schema';
import type { RunStatus, RunView } from '../runner/types';
import { nowIso, parseJson, writeTransaction, type SqliteDatabase, statement } from './database';

/** The run row: the fields a RunView shows about the run itself, plus what only the runner needs. */
export interface RunRecord
  extends Pick<RunView, 'id' | 'pipelineId' | 'version' | 'status' | 'inputs' | 'model' | 'parentRunId' | 'error' | 'createdAt' | 'updatedAt'> {
  pipeline: Pipeline;
  autoApprove: boolean;
  cancelRequested: boolean;
  lease?: { owner: string; host: string; pid: number; expiresAt: number };
}

interface RunRow {
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
}

export interface NewRun {
  id: string;
  pipelineId: string;
  version: number | null;
  inputs: RunInputs;
  model?: ModelSpec;
  pipeline: Pipeline;
  autoApprove: boolean;
  parentRunId?: string;
}

export interface LeaseClaim {
  owner: string;
  host: string;
  pid: number;
  ttlMs: number;
  /** True when the current holder may be displaced (dead process on this host). */
  holderIsGone(lease: NonNullable<RunRecord['lease']>): boolean;
}

export class RunStore {
  constructor(private readonly db: SqliteDatabase) {}

  insert(run: NewRun): void {
    const at = nowIso();
    statement(this.db, 
        `INSERT INTO runs (id, pipeline_id, version, status, inputs, model, pipeline, auto_approve, parent_run_id, created_at, updated_at)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
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
        at,
        at,
      );
  }

  get(id: string): RunRecord | undefined {
    const row = statement(this.db, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRecord(row);
  }

  list(filter: { pipelineId?: string; status?: RunStatus } = {}): RunRecord[] {
    const rows = statement(this.db, 
        `SELECT * FROM runs WHERE (@pipelineId IS NULL OR pipeline_id = @pipelineId) AND (@status IS NULL OR status = @status) ORDER BY created_at DESC, id`,
      )
      .all({ pipelineId: filter.pipelineId ?? null, status: filter.status ?? null }) as RunRow[];
    return rows.map(toRecord);
  }

  /**
   * At most `limit` runs, newest first (creation time, then id, both descending), strictly after `after` in
   * that order. Reads one more than asked, so the caller knows whether a next page exists.
   */
  page(filter: { pipelineId?: string; status?: RunStatus }, limit: number, after?: { createdAt: string; id: string }): { runs: RunRecord[]; more: boolean } {
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
    return { runs: rows.slice(0, limit).map(toRecord), more: rows.length > limit };
  }

  setStatus(id: string, status: RunStatus, error?: string | null): void {
    statement(this.db, 'UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE id = ?')
      .run(status, error ?? null, nowIso(), id);
  }

  touch(id: string): void {
    statement(this.db, 'UPDATE runs SET updated_at = ? WHERE id = ?').run(nowIso(), id);
  }

  requestCancel(id: string): void {
    statement(this.db, 'UPDATE runs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(nowIso(), id);
  }

  clearCancel(id: string): void {
    statement(this.db, 'UPDATE runs SET cancel_requested = 0 WHERE id = ?').run(id);
  }

  isCancelRequested(id: string): boolean {
    const row = statement(this.db, 'SELECT cancel_requested FROM runs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
    return row?.cancel_requested === 1;
  }

  /** Takes the lease if it is free, expired, ours, or held by a dead process; returns the live holder otherwise. */
  claimLease(id: string, claim: LeaseClaim): { ok: true } | { ok: false; holder: string } {
    return writeTransaction(this.db, () => {
      const run = this.get(id);
      if (!run) return { ok: false, holder: '' };
      const lease = run.lease;
      if (lease && lease.owner !== claim.owner && lease.expiresAt > Date.now() && !claim.holderIsGone(lease)) {
        return { ok: false, holder: lease.owner };
      }
      statement(this.db, 'UPDATE runs SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_expires = ? WHERE id = ?')
        .run(claim.owner, claim.host, claim.pid, Date.now() + claim.ttlMs, id);
      return { ok: true };
    });
  }

  renewLease(id: string, owner: string, ttlMs: number): boolean {
    return (
      statement(this.db, 'UPDATE runs SET lease_expires = ? WHERE id = ? AND lease_owner = ?').run(Date.now() + ttlMs, id, owner).changes > 0
    );
  }

  releaseLease(id: string, owner: string): void {
    statement(this.db, 'UPDATE runs SET lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_expires = NULL WHERE id = ? AND lease_owner = ?')
      .run(id, owner);
  }
}

function toRecord(row: RunRow): RunRecord {
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
    lease:
      row.lease_owner === null
        ? undefined
        : { owner: row.lease_owner, host: row.lease_host ?? '', pid: row.lease_pid ?? 0, expiresAt: row.lease_expires ?? 0 },
  };
}
