// Node outputs live here, one row per node attempt, never in the graph state: LangGraph copies its state
// into every checkpoint, so the state only points at (node, attempt) and the text is stored once.
// A rerun's reused output is a reference to the parent run's row, not a copy of the text.
import type { TokenUsage } from '../runner/types';
import type { OutputSource, StoredOutput } from './contract';
import { nowIso, parseJson, type SqliteDatabase, statement } from './database';

export type { OutputSource, StoredOutput } from './contract';

export interface OutputRow {
  run_id: string;
  node_id: string;
  attempt: number;
  source: OutputSource;
  output: string | null;
  ref_run_id: string | null;
  ref_attempt: number | null;
  usage: string | null;
}

/**
 * Where a node's alternative outputs (`candidates`) are kept: beside its outputs, under a key no node id can take
 * (node ids are `[a-z0-9-]`), one row per attempt.
 */
export function candidatesKey(nodeId: string): string {
  return `${nodeId}~candidates`;
}

export class OutputStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(runId: string, nodeId: string, attempt: number): StoredOutput | undefined {
    const row = statement(this.db, 'SELECT * FROM node_outputs WHERE run_id = ? AND node_id = ? AND attempt = ?')
      .get(runId, nodeId, attempt) as OutputRow | undefined;
    if (!row) return undefined;
    let output: unknown;
    if (row.ref_run_id !== null) {
      output = this.get(row.ref_run_id, row.node_id, row.ref_attempt ?? 1)?.output;
    } else {
      output = parseJson(row.output);
    }
    return { runId, nodeId, attempt, source: row.source, output, usage: parseJson<TokenUsage>(row.usage) };
  }

  put(entry: StoredOutput): void {
    statement(this.db, 
        'INSERT OR REPLACE INTO node_outputs (run_id, node_id, attempt, source, output, usage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(entry.runId, entry.nodeId, entry.attempt, entry.source, JSON.stringify(entry.output ?? null), entry.usage ? JSON.stringify(entry.usage) : null, nowIso());
  }

  /** Points a new run's attempt 1 at another run's stored output (the text is not copied). */
  putReference(runId: string, nodeId: string, from: { runId: string; attempt: number }): void {
    // Follow chains so a reference never points at another reference.
    const target = statement(this.db, 'SELECT ref_run_id, ref_attempt FROM node_outputs WHERE run_id = ? AND node_id = ? AND attempt = ?')
      .get(from.runId, nodeId, from.attempt) as { ref_run_id: string | null; ref_attempt: number | null } | undefined;
    const refRun = target?.ref_run_id ?? from.runId;
    const refAttempt = target?.ref_run_id ? (target.ref_attempt ?? 1) : from.attempt;
    statement(this.db, 
        `INSERT OR REPLACE INTO node_outputs (run_id, node_id, attempt, source, output, ref_run_id, ref_attempt, created_at)
         VALUES (?, ?, 1, 'reused', NULL, ?, ?, ?)`,
      )
      .run(runId, nodeId, refRun, refAttempt, nowIso());
  }
}
