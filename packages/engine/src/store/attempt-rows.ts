// The node_attempts table's rows as records, shared by the SQLite and PostgreSQL stores: one row per execution of
// a node with its tokens and cost (a NULL cost with calls made means the price table did not know the model).
import type { AttemptRecord, DailyUsage } from './contract';
import type { AttemptStatus } from '../runner/types';

export interface AttemptRow {
  node_id: string;
  attempt: number;
  source: 'model' | 'revision';
  status: AttemptStatus;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  calls: number;
  cost_usd: number | null;
  candidates: number | null;
  created_at: string;
}

export interface DailyRow {
  day: string;
  runs: number;
  input_tokens: number;
  output_tokens: number;
  calls: number;
  cost_usd: number | null;
  unpriced: number;
}

export function attemptFromRow(row: AttemptRow): AttemptRecord {
  return {
    nodeId: row.node_id,
    attempt: row.attempt,
    source: row.source,
    status: row.status,
    ...(row.model !== null ? { model: row.model } : {}),
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    totalTokens: row.input_tokens + row.output_tokens,
    calls: row.calls,
    ...(row.cost_usd !== null ? { costUsd: row.cost_usd } : {}),
    ...(row.cost_usd === null && row.calls > 0 ? { unpriced: true } : {}),
    ...(row.candidates !== null ? { candidates: row.candidates } : {}),
    at: row.created_at,
  };
}

export function dailyFromRow(row: DailyRow): DailyUsage {
  const inputTokens = Number(row.input_tokens);
  const outputTokens = Number(row.output_tokens);
  return {
    day: row.day,
    runs: Number(row.runs),
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    calls: Number(row.calls),
    ...(row.cost_usd !== null ? { costUsd: Math.round(Number(row.cost_usd) * 1_000_000) / 1_000_000 } : {}),
    ...(Number(row.unpriced) > 0 ? { unpriced: true } : {}),
  };
}

/** The attempts a pipeline's runs made from a day on; `pipeline` and `since` are each store's placeholders. */
function pipelineAttemptsSince(pipeline: string, since: string): string {
  return `FROM node_attempts a JOIN runs r ON r.id = a.run_id WHERE r.pipeline_id = ${pipeline} AND a.created_at >= ${since}`;
}

/** The daily report's query. */
export function dailyUsageSql(pipeline: string, since: string): string {
  return `SELECT substr(a.created_at, 1, 10) AS day, COUNT(DISTINCT a.run_id) AS runs, SUM(a.input_tokens) AS input_tokens,
            SUM(a.output_tokens) AS output_tokens, SUM(a.calls) AS calls, SUM(a.cost_usd) AS cost_usd,
            SUM(CASE WHEN a.cost_usd IS NULL AND a.calls > 0 THEN 1 ELSE 0 END) AS unpriced
     ${pipelineAttemptsSince(pipeline, since)}
     GROUP BY substr(a.created_at, 1, 10) ORDER BY day`;
}

/** How many distinct runs made an attempt over the period (a run spending on two days is one run). */
export function spendingRunsSql(pipeline: string, since: string): string {
  return `SELECT COUNT(DISTINCT a.run_id) AS runs ${pipelineAttemptsSince(pipeline, since)}`;
}

/** Appends with the node's next sequence number, in one statement (placeholders 1–12 in order). */
export function insertAttemptSql(p: (n: number) => string): string {
  return `INSERT INTO node_attempts (run_id, node_id, seq, attempt, source, status, model, input_tokens, output_tokens, calls, cost_usd, candidates, created_at)
     SELECT ${p(1)}, ${p(2)}, COALESCE(MAX(seq), 0) + 1, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}
     FROM node_attempts WHERE run_id = ${p(1)} AND node_id = ${p(2)}`;
}
