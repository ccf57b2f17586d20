// The runner on PostgreSQL: two engines on one database stand for two machines. A run gated for approval is
// decided on the other engine and finished there; a subscriber on one engine sees the other's events in order;
// a driver that lost its lease (stalled past it) is fenced off and writes nothing more.
import { openStoryloom } from '../../src/runner/storyloom';
import type { Storyloom } from '../../src/runner/engine';
import type { RunEvent } from '../../src/runner/types';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';
import { promptPipeline, spawnChild, typesOf, waitFor } from './support/helpers';
import { PREMISE, screenplayPipeline } from './support/screenplay';

describe('runner on PostgreSQL', () => {
  let database: TestDatabase;
  let stub: OpenAIStub;
  const opened: Storyloom[] = [];
  const open = async (options: { leaseTtlMs?: number; ownerId?: string } = {}) => {
    const engine = await openStoryloom({ databaseUrl: database.url, env: { OPENAI_BASE_URL: stub.url }, maxRetries: 0, ...options });
    opened.push(engine);
    return engine;
  };

  beforeAll(async () => {
    stub = await startOpenAIStub({ latencyMs: 20 });
  });
  afterAll(() => stub.close());
  beforeEach(async () => {
    database = await createTestDatabase();
    stub.reset();
    stub.setBehavior({ latencyMs: 20, tokenDelayMs: 0 });
  });
  afterEach(async () => {
    for (const engine of opened.splice(0)) await engine.close();
    await database.drop();
  });

  it('runs a gated screenplay across two engines, with every event seen in order on the other one', async () => {
    const [first, second] = [await open(), await open()];
    const run = await first.startRun({ pipeline: { ...screenplayPipeline({ approval: true }), model: 'openai:stub-model' }, inputs: { premise: PREMISE } });
    const seen: RunEvent[] = [];
    const stop = second.subscribe(run.id, (event) => seen.push(event), 0);

    const waiting = await first.drive(run.id);
    expect(waiting.status).toBe('waiting');
    expect(waiting.pending.map((p) => p.nodeId)).toEqual(['cast']);
    expect((await second.pendingApprovals()).map((p) => [p.runId, p.nodeId])).toEqual([[run.id, 'cast']]);
    await second.decide(run.id, 'cast', { decision: 'approve' });
    await expect(first.decide(run.id, 'cast', { decision: 'approve' })).rejects.toMatchObject({ code: 'conflict' });
    const done = await second.drive(run.id);
    expect(done.status).toBe('completed');
    expect((await second.exportRun(run.id, 'fountain')).content).toMatch(/INT\.|EXT\./);

    const stored = await first.events(run.id);
    await waitFor(() => seen.length === stored.length, 10_000, 'the subscriber to catch up');
    stop();
    expect(seen.map((event) => event.seq)).toEqual(stored.map((event, index) => index + 1));
    expect(typesOf(seen)).toEqual(typesOf(stored));
    expect(typesOf(seen)).toContain('approval.resolved');
    // Every prompt went out once: the decision did not re-send anything.
    const prompts = stub.requests.map((request) => request.prompt);
    expect(new Set(prompts).size).toBe(prompts.length);
  });

  it('fences off a driver that stalled past its lease: its late output is refused, the successor finishes alone', async () => {
    stub.setBehavior({ latencyMs: 400 });
    const successor = await open({ ownerId: 'successor' });
    const run = await successor.startRun({ pipeline: promptPipeline(['a>b'], { model: 'openai:stub-model' }), inputs: { premise: 'fencing' } });
    const stalled = spawnChild([database.url, 'drive', run.id], { OPENAI_BASE_URL: stub.url, STORYLOOM_LEASE_TTL_MS: '1000' });
    await waitFor(() => stub.requests.length === 1, 20_000, 'the first worker to send a prompt');
    stalled.child.kill('SIGSTOP'); // a long GC pause, a frozen VM: it cannot renew its lease
    try {
      await waitFor(async () => {
        try {
          return (await successor.drive(run.id)).status === 'completed';
        } catch (error) {
          if ((error as { code?: string }).code !== 'lease_held') throw error;
          return false;
        }
      }, 20_000, 'the successor to take the run over once the lease expired');
    } finally {
      stalled.child.kill('SIGCONT'); // it wakes up with its reply for 'a' and tries to store it
    }
    expect(await stalled.exited).toBe(0);
    expect(stalled.lines().some((line) => 'done' in line)).toBe(true);
    const events = await successor.events(run.id);
    expect(events.filter((event) => event.type === 'node.completed').map((event) => event.nodeId)).toEqual(['a', 'b']);
    expect(typesOf(events)).not.toContain('run.failed');
    expect(typesOf(events).filter((type) => type === 'run.completed')).toHaveLength(1);
    expect((await successor.getRun(run.id))?.status).toBe('completed');
  });
});
