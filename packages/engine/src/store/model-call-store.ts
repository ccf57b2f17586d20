// Completed model calls of a node that has not finished yet, in SQLite: a node executed again after a crash
// reads each one back instead of sending its prompt again.
import type { ModelCallRecord } from './contract';
import { nowIso, type SqliteDatabase, statement } from './database';

export class ModelCallStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(runId: string, nodeId: string, attempt: number, callKey: string): ModelCallRecord | undefined {
    const row = statement(this.db, 'SELECT reply FROM model_calls WHERE run_id = ? AND node_id = ? AND attempt = ? AND call_key = ?')
      .get(runId, nodeId, attempt, callKey) as { reply: string } | undefined;
    return row && { runId, nodeId, attempt, callKey, reply: JSON.parse(row.reply) };
  }

  put(record: ModelCallRecord): void {
    statement(this.db, 'INSERT OR IGNORE INTO model_calls (run_id, node_id, attempt, call_key, reply, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(record.runId, record.nodeId, record.attempt, record.callKey, JSON.stringify(record.reply ?? null), nowIso());
  }
}
