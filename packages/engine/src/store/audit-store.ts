// The audit list (SQLite): who saved, ran, decided, reran, cancelled or resumed what, in the order it happened.
import type { Actor } from '../contract/actor';
import type { AuditAction, AuditEntry, NewAuditEntry } from './contract';
import { nowIso, statement, type SqliteDatabase } from './database';

export interface AuditRow {
  seq: number;
  at: string;
  action: AuditAction;
  actor: string;
  pipeline_id: string | null;
  run_id: string | null;
  node_id: string | null;
  detail: string;
}

/** The row's values in column order (at, action, actor, pipeline_id, run_id, node_id, detail). */
export function auditValues(entry: NewAuditEntry): unknown[] {
  return [nowIso(), entry.action, JSON.stringify(entry.actor), entry.pipelineId ?? null, entry.runId ?? null, entry.nodeId ?? null, JSON.stringify(entry.detail ?? {})];
}

export function auditFromRow(row: AuditRow): AuditEntry {
  const entry: AuditEntry = { seq: row.seq, at: row.at, action: row.action, actor: JSON.parse(row.actor) as Actor, detail: JSON.parse(row.detail) };
  if (row.pipeline_id !== null) entry.pipelineId = row.pipeline_id;
  if (row.run_id !== null) entry.runId = row.run_id;
  if (row.node_id !== null) entry.nodeId = row.node_id;
  return entry;
}

export class AuditStore {
  constructor(private readonly db: SqliteDatabase) {}

  record(entry: NewAuditEntry): void {
    statement(this.db, 'INSERT INTO audit_log (at, action, actor, pipeline_id, run_id, node_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(...auditValues(entry));
  }

  list(filter: { pipelineId?: string; runId?: string }): AuditEntry[] {
    const rows = statement(
      this.db,
      'SELECT * FROM audit_log WHERE (@pipelineId IS NULL OR pipeline_id = @pipelineId) AND (@runId IS NULL OR run_id = @runId) ORDER BY seq',
    ).all({ pipelineId: filter.pipelineId ?? null, runId: filter.runId ?? null }) as AuditRow[];
    return rows.map(auditFromRow);
  }
}
