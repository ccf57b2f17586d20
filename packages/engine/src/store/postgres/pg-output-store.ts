// Node outputs in PostgreSQL, one row per attempt; a rerun's reused output is a reference to its parent's row.
import type { TokenUsage } from '../../runner/types';
import type { OutputRepository, StoredOutput } from '../contract';
import { nowIso, parseJson } from '../database';
import type { OutputRow } from '../output-store';
import { firstRow, type Queryable } from './queryable';

export class PgOutputStore implements OutputRepository {
  constructor(private readonly db: Queryable) {}

  async get(runId: string, nodeId: string, attempt: number): Promise<StoredOutput | undefined> {
    const row = await firstRow<OutputRow & { ref_output: string | null }>(
      this.db,
      `SELECT o.*, r.output AS ref_output FROM node_outputs o
       LEFT JOIN node_outputs r ON o.ref_run_id IS NOT NULL AND r.run_id = o.ref_run_id AND r.node_id = o.node_id AND r.attempt = o.ref_attempt
       WHERE o.run_id = $1 AND o.node_id = $2 AND o.attempt = $3`,
      [runId, nodeId, attempt],
    );
    if (!row) return undefined;
    const output = parseJson(row.ref_run_id !== null ? row.ref_output : row.output);
    return { runId, nodeId, attempt, source: row.source, output, usage: parseJson<TokenUsage>(row.usage) };
  }

  async put(entry: StoredOutput): Promise<void> {
    await this.db.query(
      `INSERT INTO node_outputs (run_id, node_id, attempt, source, output, usage, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (run_id, node_id, attempt) DO UPDATE SET source = excluded.source, output = excluded.output, usage = excluded.usage,
         ref_run_id = NULL, ref_attempt = NULL, created_at = excluded.created_at`,
      [entry.runId, entry.nodeId, entry.attempt, entry.source, JSON.stringify(entry.output ?? null), entry.usage ? JSON.stringify(entry.usage) : null, nowIso()],
    );
  }

  async putReference(runId: string, nodeId: string, from: { runId: string; attempt: number }): Promise<void> {
    // Follow chains so a reference never points at another reference.
    const target = await firstRow<{ ref_run_id: string | null; ref_attempt: number | null }>(
      this.db,
      'SELECT ref_run_id, ref_attempt FROM node_outputs WHERE run_id = $1 AND node_id = $2 AND attempt = $3',
      [from.runId, nodeId, from.attempt],
    );
    const refRun = target?.ref_run_id ?? from.runId;
    const refAttempt = target?.ref_run_id ? (target.ref_attempt ?? 1) : from.attempt;
    await this.db.query(
      `INSERT INTO node_outputs (run_id, node_id, attempt, source, output, ref_run_id, ref_attempt, created_at) VALUES ($1, $2, 1, 'reused', NULL, $3, $4, $5)
       ON CONFLICT (run_id, node_id, attempt) DO UPDATE SET source = 'reused', output = NULL, usage = NULL, ref_run_id = excluded.ref_run_id,
         ref_attempt = excluded.ref_attempt, created_at = excluded.created_at`,
      [runId, nodeId, refRun, refAttempt, nowIso()],
    );
  }
}
