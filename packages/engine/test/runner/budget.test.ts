// Budgets: before a node whose estimate would take the run past its budget, the run waits at an approval of kind
// `budget` (independent branches go on); approving lets it go on (with raised limits, or with none), rejecting
// cancels it. On the embedded SQLite file and on PostgreSQL, decided by another engine on the same database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoryloom } from '../../src/runner/storyloom';
import type { Storyloom } from '../../src/runner/engine';
import type { BudgetCheck as BudgetDraft } from '../../src/runner/types';
import { validatePipeline } from '../../src/pipeline/validate';
import { DEFAULT_PRICES } from '../../src/cost/prices';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { promptPipeline, typesOf } from './support/helpers';

/** About 500 tokens per answer, so what a node wrote weighs on the next one's estimate. */
const LONG_ANSWER = 'The keeper counts the boats again. '.repeat(57);
const prices = { ...DEFAULT_PRICES, models: { ...DEFAULT_PRICES.models, 'openai:stub-model': { inputPerMillion: 2, outputPerMillion: 8 } } };

interface Backend {
  open(): Promise<Storyloom>;
  teardown(): Promise<void>;
}

function sqliteBackend(stub: () => OpenAIStub): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'storyloom-budget-'));
  const opened: Storyloom[] = [];
  return {
    async open() {
      const engine = await openStoryloom({ dbPath: join(dir, 'db.sqlite'), env: { OPENAI_BASE_URL: stub().url }, prices, maxRetries: 0 });
      opened.push(engine);
      return engine;
    },
    async teardown() {
      for (const engine of opened) await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(stub: () => OpenAIStub, database: TestDatabase): Backend {
  const opened: Storyloom[] = [];
  return {
    async open() {
      const engine = await openStoryloom({ databaseUrl: database.url, env: { OPENAI_BASE_URL: stub().url }, prices, maxRetries: 0 });
      opened.push(engine);
      return engine;
    },
    async teardown() {
      for (const engine of opened) await engine.close();
      await database.drop();
    },
  };
}

/** a → b → c, and `solo` on its own; answers of about 500 tokens, at most 400 asked for. */
const chain = (budget?: { maxTokens?: number; maxCostUsd?: number }) => ({
  ...promptPipeline(['a>b', 'b>c'], { isolated: ['solo'], model: { provider: 'openai' as const, model: 'stub-model', maxTokens: 400 } }),
  ...(budget ? { budget } : {}),
});

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('budgets on %s', (_name, postgres) => {
  let stub: OpenAIStub;
  let backend: Backend;
  beforeAll(async () => {
    stub = await startOpenAIStub({ respond: () => LONG_ANSWER });
  });
  afterAll(() => stub.close());
  beforeEach(async () => {
    stub.reset();
    stub.setBehavior({ respond: () => LONG_ANSWER });
    backend = postgres ? postgresBackend(() => stub, await createTestDatabase()) : sqliteBackend(() => stub);
  });
  afterEach(() => backend.teardown());
  const calledFor = (id: string) => stub.requests.filter((r) => r.prompt.startsWith(`Task ${id} `)).length;

  test('waits before the node that would pass the budget, and goes on with a raised budget once approved elsewhere', async () => {
    const [driver, reviewer] = [await backend.open(), await backend.open()];
    const run = await driver.startRun({ pipeline: chain({ maxTokens: 1_000 }), inputs: { premise: 'p' } });
    const waiting = await driver.drive(run.id);
    expect([waiting.status, waiting.error]).toEqual(['waiting', undefined]);
    expect(waiting.budget).toEqual({ maxTokens: 1_000 });
    // `a` fitted (a short prompt and 400 tokens at most); `b` reads a's 500-token answer and would pass 1,000.
    expect([calledFor('a'), calledFor('b'), calledFor('c'), calledFor('solo')]).toEqual([1, 0, 0, 1]);
    expect(waiting.nodes.b.status).toBe('waiting');
    expect(waiting.nodes.c.status).toBe('pending');
    expect(waiting.pending).toEqual([{ nodeId: 'b', kind: 'budget', draft: expect.anything() }]);
    const draft = waiting.pending[0].draft as BudgetDraft;
    expect(draft.passes).toEqual(['maxTokens']);
    expect(draft.budget).toEqual({ maxTokens: 1_000 });
    expect(draft.spent.totalTokens).toBe(waiting.usage!.totalTokens); // a and solo, as the run shows them
    expect(draft.spent.totalTokens + draft.estimate.totalTokens).toBeGreaterThan(1_000);
    expect(draft.estimate).toMatchObject({ model: 'openai:stub-model', calls: 1 });
    expect(draft.estimate.outputTokens).toBe(400);
    expect(draft.estimate.costUsd).toBeCloseTo((draft.estimate.inputTokens * 2 + 400 * 8) / 1e6, 6);
    const inbox = await reviewer.pendingApprovals();
    expect(inbox).toEqual([expect.objectContaining({ runId: run.id, nodeId: 'b', kind: 'budget', draft })]);
    const requested = (await driver.events(run.id)).find((e) => e.type === 'approval.requested');
    expect(requested).toMatchObject({ nodeId: 'b', data: { kind: 'budget', check: draft } });

    // A budget approval is approve or reject, and a new budget must be a budget.
    await expect(reviewer.decide(run.id, 'b', { decision: 'edit', output: {} })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('budget') });
    await expect(reviewer.decide(run.id, 'b', { decision: 'approve', budget: { maxTokens: -5 } })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('budget.maxTokens') });
    await reviewer.decide(run.id, 'b', { decision: 'approve', budget: { maxTokens: 50_000 } });
    await expect(reviewer.decide(run.id, 'b', { decision: 'approve' })).rejects.toMatchObject({ code: 'conflict' });
    const done = await reviewer.drive(run.id);
    expect(done.status).toBe('completed');
    expect(done.budget).toEqual({ maxTokens: 50_000 });
    expect([calledFor('a'), calledFor('b'), calledFor('c'), calledFor('solo')]).toEqual([1, 1, 1, 1]);
    expect(done.pending).toEqual([]);
    const events = await driver.events(run.id);
    expect(events.find((e) => e.type === 'approval.resolved')).toMatchObject({ nodeId: 'b', data: { decision: 'approve', kind: 'budget', budget: { maxTokens: 50_000 } } });
    expect(typesOf(events, 'b')).toEqual(['approval.requested', 'approval.resolved', 'node.started', 'node.completed']);
  }, 60_000);

  test('approving without a new budget lets the rest of the run go past it; rejecting cancels the run there', async () => {
    const engine = await backend.open();
    const first = await engine.startRun({ pipeline: chain(), inputs: { premise: 'p' }, budget: { maxCostUsd: 0.006 } });
    expect((await engine.drive(first.id)).pending).toEqual([expect.objectContaining({ nodeId: 'b', kind: 'budget' })]);
    expect(((await engine.getRun(first.id))!.pending[0].draft as BudgetDraft).passes).toEqual(['maxCostUsd']);
    await engine.decide(first.id, 'b', { decision: 'approve' });
    const done = await engine.drive(first.id);
    expect(done.status).toBe('completed');
    expect(done.budget).toBeUndefined();
    expect(done.usage!.costUsd).toBeGreaterThan(0.006);

    const second = await engine.startRun({ pipeline: chain({ maxTokens: 1_000 }), inputs: { premise: 'p' } });
    await engine.drive(second.id);
    await engine.decide(second.id, 'b', { decision: 'reject', feedback: 'too dear' });
    const cancelled = (await engine.getRun(second.id))!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error).toBe("cancelled at its budget before 'b'");
    expect(cancelled.pending).toEqual([]);
    expect([cancelled.nodes.b.status, cancelled.nodes.c.status]).toEqual(['skipped', 'skipped']);
    expect(typesOf(await engine.events(second.id)).slice(-3)).toEqual(['run.waiting', 'approval.resolved', 'run.cancelled']);
    expect(await engine.pendingApprovals()).toEqual([]);
    expect(stub.requests.filter((r) => r.prompt.startsWith('Task b ')).length).toBe(1); // the first run's only
  }, 60_000);
});

describe('budget validation', () => {
  test('a pipeline budget names a positive limit; a run budget given with the run is checked the same way', async () => {
    const problems = (budget: unknown) => validatePipeline({ ...chain(), budget }).errors.map((e) => `${e.path} ${e.message}`);
    expect(validatePipeline(chain({ maxCostUsd: 0.5 })).valid).toBe(true);
    expect(problems({})).toEqual([expect.stringContaining('a budget needs maxTokens, maxCostUsd or both')]);
    expect(problems({ maxTokens: 0 })).toEqual([expect.stringMatching(/^\/budget\/maxTokens /)]);
    expect(problems({ usd: 1 })).toEqual(expect.arrayContaining([expect.stringContaining('usd')]));
    const dir = mkdtempSync(join(tmpdir(), 'storyloom-budget-'));
    // The chain's OpenAI model is configured (a run of an unconfigured one is refused at start).
    const engine = await openStoryloom({ dbPath: join(dir, 'db.sqlite'), env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
    try {
      await expect(engine.startRun({ pipeline: chain(), inputs: { premise: 'p' }, budget: { maxCostUsd: 'lots' } as never })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('budget.maxCostUsd'),
      });
      expect(await engine.listRuns()).toEqual([]);
      const run = await engine.startRun({ pipeline: chain({ maxTokens: 5, maxCostUsd: 1 }), inputs: { premise: 'p' }, budget: { maxTokens: 9 } });
      expect(run.budget).toEqual({ maxTokens: 9, maxCostUsd: 1 });
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
