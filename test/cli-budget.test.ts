// Budgets and cost from the CLI, each command its own process on one database: `run --budget-tokens` stops at the
// budget (exit 3, the run id on stdout, what it would spend on stderr), `show` and `runs` show tokens and cost,
// `approve --budget-tokens` raises the budget and the run completes, and `cost` reports the pipeline's spending per
// day, a run that spent across midnight counted once in all; `reject` at a budget cancels the run and `resume`
// asks again.
import Database from 'better-sqlite3';
import type { BudgetCheck, PipelineCost, RunView } from '@storyloom/engine';
import { approvalPipeline, runCli, runIdFrom, workspaceForFile } from './support/cli';

const space = workspaceForFile('storyloom-cli-budget-');
const PREMISE = 'premise=A lighthouse keeper finds a letter dated tomorrow';
const cli = (args: string[]) => runCli([...args, ...space.db]);
const show = async (runId: string): Promise<RunView> => JSON.parse((await cli(['show', runId, '--json'])).stdout) as RunView;

test('a run stops at its budget, shows what it spent, and goes on once approved with a raised budget', async () => {
  const file = space.ws.file('budgeted.json', approvalPipeline({ approvals: false }));
  const started = await cli(['run', file, '--input', PREMISE, '--budget-tokens', '2500']);
  expect(started.code).toBe(3);
  const runId = runIdFrom(started);
  const waiting = await show(runId);
  expect(waiting.status).toBe('waiting');
  const [pending] = waiting.pending;
  expect(pending).toMatchObject({ kind: 'budget' });
  const check = pending.draft as BudgetCheck;
  expect(started.stderr).toContain(`${pending.nodeId} has not run: it would take the run past its budget (tokens ≤ 2,500).`);
  expect(started.stderr).toContain(`storyloom approve ${runId} ${pending.nodeId} [--budget-usd N] [--budget-tokens N]`);
  expect(started.stderr).toContain(`spent so far ${check.spent.totalTokens.toLocaleString('en-US')} tokens ($0.0000)`);

  const text = await cli(['show', runId]);
  expect(text.stdout).toContain(`Waiting at the budget: ${pending.nodeId}`);
  expect(text.stdout).toMatch(new RegExp(`usage +${waiting.usage!.totalTokens.toLocaleString('en-US')} tokens, \\d+ calls?, \\$0\\.0000`));
  expect(text.stdout).toContain('budget    tokens ≤ 2,500');
  const listed = await cli(['runs']);
  expect(listed.stdout.split('\n')[0]).toMatch(/TOKENS +COST/);
  expect(listed.stdout).toContain(waiting.usage!.totalTokens.toLocaleString('en-US'));

  // Wrong flags for a budget approval change nothing.
  const edit = await cli(['approve', runId, pending.nodeId, '--edit', file]);
  expect(edit.code).toBe(2);
  expect(edit.stderr).toMatch(/waits at the run's budget/);
  const badAmount = await cli(['approve', runId, pending.nodeId, '--budget-usd', 'lots']);
  expect(badAmount.code).toBe(2);
  expect(badAmount.stderr).toContain("--budget-usd must be an amount of dollars such as 0.50 (more than 0), got 'lots'");
  expect((await show(runId)).pending).toHaveLength(1);

  const approved = await cli(['approve', runId, pending.nodeId, '--budget-tokens', '1000000']);
  expect(approved.code).toBe(0);
  expect(approved.stderr).toMatch(new RegExp(`Run ${runId} completed in .*\\(.* tokens, \\d+ calls, \\$0\\.0000\\)`));
  const done = await show(runId);
  expect(done.status).toBe('completed');
  expect(done.budget).toEqual({ maxTokens: 1_000_000 });
  expect(done.usage!.totalTokens).toBeGreaterThan(2_500);

  // The pipeline's spending per day: this run is all of it so far.
  const report = await cli(['cost', 'cli-approvals', '--days', '7', '--json']);
  expect(report.code).toBe(0);
  const today = new Date().toISOString().slice(0, 10);
  expect(JSON.parse(report.stdout)).toMatchObject({ pipelineId: 'cli-approvals', days: 7, total: { runs: 1, totalTokens: done.usage!.totalTokens }, daily: [{ day: today, runs: 1 }] });
  const daily = await cli(['cost', 'cli-approvals']);
  expect(daily.stdout.split('\n')[0]).toMatch(/^DAY +RUNS +CALLS +TOKENS +COST$/);
  expect(daily.stdout).toContain(today);
  expect(daily.stdout).toContain(done.usage!.totalTokens.toLocaleString('en-US'));
  const badDays = await cli(['cost', 'cli-approvals', '--days', '0']);
  expect([badDays.code, badDays.stderr]).toEqual([2, expect.stringContaining('days must be a whole number from 1 to 366')]);

  // A run that spent across midnight is on both days, and still one run over the period.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const db = new Database(space.ws.dbPath);
  try {
    const moved = db.prepare(`UPDATE node_attempts SET created_at = ? WHERE run_id = ? AND node_id = 'logline'`).run(`${yesterday}T23:59:00.000Z`, runId);
    expect(moved.changes).toBeGreaterThan(0);
  } finally {
    db.close();
  }
  const acrossMidnight = JSON.parse((await cli(['cost', 'cli-approvals', '--days', '7', '--json'])).stdout) as PipelineCost;
  expect(acrossMidnight.daily.map((day) => [day.day, day.runs])).toEqual([
    [yesterday, 1],
    [today, 1],
  ]);
  expect(acrossMidnight.total).toMatchObject({ runs: 1, totalTokens: done.usage!.totalTokens });
}, 120_000);

test('STORYLOOM_PRICES prices the run; a price file that cannot be read is exit 2 naming it', async () => {
  const prices = space.ws.file('prices.json', { format: 'storyloom/prices@1', models: { 'offline:*': { inputPerMillion: 1000, outputPerMillion: 2000 } } });
  const file = space.ws.file('priced.json', approvalPipeline({ approvals: false }));
  const priced = await runCli(['run', file, '--input', PREMISE, '--json', ...space.db], { env: { STORYLOOM_PRICES: prices } });
  expect(priced.code).toBe(0);
  const run = JSON.parse(priced.stdout) as RunView;
  const { inputTokens, outputTokens } = run.usage!;
  expect(run.usage!.costUsd).toBeCloseTo((inputTokens * 1000 + outputTokens * 2000) / 1e6, 5);
  const missing = await runCli(['runs', ...space.db], { env: { STORYLOOM_PRICES: `${space.ws.dir}/nowhere.json` } });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`STORYLOOM_PRICES: cannot read ${space.ws.dir}/nowhere.json`);
}, 120_000);

test('reject at the budget cancels the run, resume asks again; a bad budget flag is exit 2 before anything is stored', async () => {
  const file = space.ws.file('budgeted.json', approvalPipeline({ approvals: false }));
  const refused = await cli(['run', file, '--input', PREMISE, '--budget-tokens', '2.5']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--budget-tokens must be a whole number of tokens');
  const started = await cli(['run', file, '--input', PREMISE, '--budget-tokens', '10']);
  expect(started.code).toBe(3);
  const runId = runIdFrom(started);
  expect((await show(runId)).pending).toEqual([expect.objectContaining({ nodeId: 'logline', kind: 'budget' })]);
  const rejected = await cli(['reject', runId, 'logline']);
  expect(rejected.stderr).toContain(`Run ${runId} was cancelled.`);
  const cancelled = await show(runId);
  expect([cancelled.status, cancelled.error]).toEqual(['cancelled', "cancelled at its budget before 'logline'"]);

  // Resumed, it stops at the same budget again (exit 3) for a new decision, and completes once approved.
  const resumed = await cli(['resume', runId]);
  expect(resumed.code).toBe(3);
  expect(resumed.stderr).toContain('logline has not run: it would take the run past its budget (tokens ≤ 10).');
  const askedAgain = await show(runId);
  expect([askedAgain.status, askedAgain.error]).toEqual(['waiting', undefined]);
  expect(askedAgain.pending).toEqual([expect.objectContaining({ nodeId: 'logline', kind: 'budget' })]);
  const approved = await cli(['approve', runId, 'logline', '--budget-tokens', '1000000']);
  expect(approved.code).toBe(0);
  expect((await show(runId)).status).toBe('completed');
}, 120_000);
