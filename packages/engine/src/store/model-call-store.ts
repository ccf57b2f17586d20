// Completed model calls of a node that has not finished yet, in SQLite: a node executed again after a crash
// reads each one back instead of sending its prompt again. The reply column keeps the reply and what the call
// spent together (see callFromRow), so a read-back call can still be counted.
import type { CallUsage, ModelCallRecord } from './contract';
import { nowIso, type SqliteDatabase, statement } from './database';

export interface ModelCallRow {
  reply: string;
  created_at: string;
}

/** Marks a stored reply kept with its spend; rows written before spend was kept hold the bare reply. */
const WITH_USAGE = 'storyloom/model-call@2';

/** The reply column's text for a record. */
export function replyColumn(record: ModelCallRecord): string {
  return JSON.stringify(record.usage ? { [WITH_USAGE]: true, reply: record.reply ?? null, usage: record.usage } : (record.reply ?? null));
}

export function callFromRow(key: Omit<ModelCallRecord, 'reply'>, row: ModelCallRow): ModelCallRecord {
  const stored = JSON.parse(row.reply) as unknown;
  const kept = typeof stored === 'object' && stored !== null && (stored as Record<string, unknown>)[WITH_USAGE] === true;
  const { reply, usage } = kept ? (stored as { reply: unknown; usage: CallUsage }) : { reply: stored, usage: undefined };
  return { ...key, reply, ...(usage ? { usage } : {}), at: row.created_at };
}

export class ModelCallStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(runId: string, nodeId: string, attempt: number, callKey: string): ModelCallRecord | undefined {
    const row = statement(this.db, 'SELECT reply, created_at FROM model_calls WHERE run_id = ? AND node_id = ? AND attempt = ? AND call_key = ?')
      .get(runId, nodeId, attempt, callKey) as ModelCallRow | undefined;
    return row && callFromRow({ runId, nodeId, attempt, callKey }, row);
  }

  put(record: ModelCallRecord): void {
    statement(this.db, 'INSERT OR IGNORE INTO model_calls (run_id, node_id, attempt, call_key, reply, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(record.runId, record.nodeId, record.attempt, record.callKey, replyColumn(record), nowIso());
  }
}
