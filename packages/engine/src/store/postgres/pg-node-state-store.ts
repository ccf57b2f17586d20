// The per-node status a run view shows, in PostgreSQL.
import type { NodeStatus, TokenUsage } from '../../runner/types';
import type { NodeRecord, NodeStateRepository } from '../contract';
import { parseJson } from '../database';
import { firstRow, type Queryable, rowsOf } from './queryable';

interface NodeRow {
  node_id: string;
  status: NodeStatus;
  attempt: number | null;
  error: string | null;
  usage: string | null;
}

export class PgNodeStateStore implements NodeStateRepository {
  constructor(private readonly db: Queryable) {}

  async list(runId: string): Promise<NodeRecord[]> {
    return (await rowsOf<NodeRow>(this.db, 'SELECT * FROM run_nodes WHERE run_id = $1', [runId])).map(toRecord);
  }

  async get(runId: string, nodeId: string): Promise<NodeRecord | undefined> {
    const row = await firstRow<NodeRow>(this.db, 'SELECT * FROM run_nodes WHERE run_id = $1 AND node_id = $2', [runId, nodeId]);
    return row && toRecord(row);
  }

  async set(runId: string, nodeId: string, change: { status: NodeStatus; attempt?: number; error?: string; usage?: TokenUsage }): Promise<void> {
    await this.db.query(
      `INSERT INTO run_nodes (run_id, node_id, status, attempt, error, usage) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (run_id, node_id) DO UPDATE SET status = $3, attempt = COALESCE($4, run_nodes.attempt), error = $5,
         usage = COALESCE($6, run_nodes.usage)`,
      [runId, nodeId, change.status, change.attempt ?? null, change.error ?? null, change.usage ? JSON.stringify(change.usage) : null],
    );
  }

  async resetRunning(runId: string): Promise<void> {
    await this.db.query(`UPDATE run_nodes SET status = 'pending' WHERE run_id = $1 AND status = 'running'`, [runId]);
  }
}

function toRecord(row: NodeRow): NodeRecord {
  return { nodeId: row.node_id, status: row.status, attempt: row.attempt ?? undefined, error: row.error ?? undefined, usage: parseJson<TokenUsage>(row.usage) };
}
