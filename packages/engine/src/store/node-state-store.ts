// The per-node status a run view shows (pending → running → completed …), kept beside the event log so a
// view never has to replay events.
import type { NodeStatus, TokenUsage } from '../runner/types';
import type { NodeRecord } from './contract';
import { parseJson, type SqliteDatabase, statement } from './database';

export type { NodeRecord } from './contract';

export class NodeStateStore {
  constructor(private readonly db: SqliteDatabase) {}

  list(runId: string): NodeRecord[] {
    const rows = statement(this.db, 'SELECT * FROM run_nodes WHERE run_id = ?').all(runId) as Array<{
      node_id: string;
      status: NodeStatus;
      attempt: number | null;
      error: string | null;
      usage: string | null;
    }>;
    return rows.map((row) => ({
      nodeId: row.node_id,
      status: row.status,
      attempt: row.attempt ?? undefined,
      error: row.error ?? undefined,
      usage: parseJson<TokenUsage>(row.usage),
    }));
  }

  get(runId: string, nodeId: string): NodeRecord | undefined {
    return this.list(runId).find((node) => node.nodeId === nodeId);
  }

  set(runId: string, nodeId: string, change: { status: NodeStatus; attempt?: number; error?: string; usage?: TokenUsage }): void {
    statement(this.db, 
        `INSERT INTO run_nodes (run_id, node_id, status, attempt, error, usage) VALUES (@runId, @nodeId, @status, @attempt, @error, @usage)
         ON CONFLICT (run_id, node_id) DO UPDATE SET status = @status, attempt = COALESCE(@attempt, attempt), error = @error,
           usage = COALESCE(@usage, usage)`,
      )
      .run({
        runId,
        nodeId,
        status: change.status,
        attempt: change.attempt ?? null,
        error: change.error ?? null,
        usage: change.usage ? JSON.stringify(change.usage) : null,
      });
  }

  /** Nodes left `running` by an interrupted drive go back to `pending` (their work was lost with the process). */
  resetRunning(runId: string): void {
    statement(this.db, `UPDATE run_nodes SET status = 'pending' WHERE run_id = ? AND status = 'running'`).run(runId);
  }
}
