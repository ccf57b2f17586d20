// Every execution of every node and what it spent, in PostgreSQL (see attempt-rows.ts for the table's rows).
import type { AttemptRecord, AttemptRepository, DailyUsage } from '../contract';
import { attemptFromRow, type AttemptRow, dailyFromRow, type DailyRow, dailyUsageSql, insertAttemptSql, spendingRunsSql } from '../attempt-rows';
import { attemptValues } from '../attempt-store';
import type { AttemptUsage } from '../../runner/types';
import { rowsOf, type Queryable } from './queryable';

export class PgAttemptStore implements AttemptRepository {
  constructor(private readonly db: Queryable) {}

  async add(runId: string, nodeId: string, attempt: Omit<AttemptUsage, 'at' | 'totalTokens' | 'unpriced'>): Promise<void> {
    await this.db.query(insertAttemptSql((n) => `$${n}`), attemptValues(runId, nodeId, attempt));
  }

  async list(runId: string): Promise<AttemptRecord[]> {
    return (await rowsOf<AttemptRow>(this.db, 'SELECT * FROM node_attempts WHERE run_id = $1 ORDER BY node_id, seq', [runId])).map(attemptFromRow);
  }

  async forNode(runId: string, nodeId: string): Promise<AttemptRecord[]> {
    const sql = 'SELECT * FROM node_attempts WHERE run_id = $1 AND node_id = $2 ORDER BY seq';
    return (await rowsOf<AttemptRow>(this.db, sql, [runId, nodeId])).map(attemptFromRow);
  }

  async dailyUsage(pipelineId: string, sinceDay: string): Promise<DailyUsage[]> {
    return (await rowsOf<DailyRow>(this.db, dailyUsageSql('$1', '$2'), [pipelineId, sinceDay])).map(dailyFromRow);
  }

  async spendingRuns(pipelineId: string, sinceDay: string): Promise<number> {
    return Number((await rowsOf<{ runs: string }>(this.db, spendingRunsSql('$1', '$2'), [pipelineId, sinceDay]))[0].runs);
  }
}
