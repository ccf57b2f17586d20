// The two key-value-like tables in PostgreSQL: completed model calls (read back instead of re-sent) and meta.
import type { MetaRepository, ModelCallRecord, ModelCallRepository } from '../contract';
import { nowIso } from '../database';
import { callFromRow, type ModelCallRow, replyColumn } from '../model-call-store';
import { firstRow, type Queryable } from './queryable';

export class PgModelCallStore implements ModelCallRepository {
  constructor(private readonly db: Queryable) {}

  async get(runId: string, nodeId: string, attempt: number, callKey: string): Promise<ModelCallRecord | undefined> {
    const row = await firstRow<ModelCallRow>(
      this.db,
      'SELECT reply, created_at FROM model_calls WHERE run_id = $1 AND node_id = $2 AND attempt = $3 AND call_key = $4',
      [runId, nodeId, attempt, callKey],
    );
    return row && callFromRow({ runId, nodeId, attempt, callKey }, row);
  }

  async put(record: ModelCallRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO model_calls (run_id, node_id, attempt, call_key, reply, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
      [record.runId, record.nodeId, record.attempt, record.callKey, replyColumn(record), nowIso()],
    );
  }
}

export class PgMetaStore implements MetaRepository {
  constructor(private readonly db: Queryable) {}

  async get(key: string): Promise<string | undefined> {
    return (await firstRow<{ value: string }>(this.db, 'SELECT value FROM meta WHERE key = $1', [key]))?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}
