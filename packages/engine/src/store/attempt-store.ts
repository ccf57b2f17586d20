// Every execution of every node and what it spent, in SQLite (see attempt-rows.ts for the table's rows).
import type { AttemptRecord, DailyUsage } from './contract';
import { attemptFromRow, type AttemptRow, dailyFromRow, type DailyRow, dailyUsageSql, insertAttemptSql, spendingRunsSql } from './attempt-rows';
import { nowIso, type SqliteDatabase, statement } from './database';
import type { AttemptUsage } from '../runner/types';

/** The insert names its values (@p1…): the run and node appear twice, in the row and in the seq lookup. */
const INSERT_ATTEMPT = insertAttemptSql((n) => `@p${n}`);

export class AttemptStore {
  constructor(private readonly db: SqliteDatabase) {}

  add(runId: string, nodeId: string, attempt: Omit<AttemptUsage, 'at' | 'totalTokens' | 'unpriced'>): void {
    const values = attemptValues(runId, nodeId, attempt);
    statement(this.db, INSERT_ATTEMPT).run(Object.fromEntries(values.map((value, i) => [`p${i + 1}`, value])));
  }

  list(runId: string): AttemptRecord[] {
    const rows = statement(this.db, 'SELECT * FROM node_attempts WHERE run_id = ? ORDER BY node_id, seq').all(runId) as AttemptRow[];
    return rows.map(attemptFromRow);
  }

  forNode(runId: string, nodeId: string): AttemptRecord[] {
    const rows = statement(this.db, 'SELECT * FROM node_attempts WHERE run_id = ? AND node_id = ? ORDER BY seq').all(runId, nodeId) as AttemptRow[];
    return rows.map(attemptFromRow);
  }

  dailyUsage(pipelineId: string, sinceDay: string): DailyUsage[] {
    return (statement(this.db, dailyUsageSql('?', '?')).all(pipelineId, sinceDay) as DailyRow[]).map(dailyFromRow);
  }

  spendingRuns(pipelineId: string, sinceDay: string): number {
    return Number((statement(this.db, spendingRunsSql('?', '?')).get(pipelineId, sinceDay) as { runs: number }).runs);
  }
}

/** The insert's twelve values in placeholder order (shared with PostgreSQL). */
export function attemptValues(runId: string, nodeId: string, attempt: Omit<AttemptUsage, 'at' | 'totalTokens' | 'unpriced'>): unknown[] {
  return [
    runId,
    nodeId,
    attempt.attempt,
    attempt.source,
    attempt.status,
    attempt.model ?? null,
    attempt.inputTokens,
    attempt.outputTokens,
    attempt.calls,
    attempt.costUsd ?? null,
    attempt.candidates ?? null,
    nowIso(),
  ];
}
