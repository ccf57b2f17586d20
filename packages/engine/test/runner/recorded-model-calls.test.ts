// No completed model call is sent twice across machines: a driver (a real process) is killed while the dialogue
// node has written two of its three scenes and the third is still in flight; another engine takes the run over
// on the same PostgreSQL database and reads the two finished replies back instead of sending their prompts again.
import pg from 'pg';
import { openStoryloom } from '../../src/runner/storyloom';
import type { Storyloom } from '../../src/runner/engine';
import type { ModelCallInfo } from '../../src/runner/observer';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';
import { spawnChild, waitFor } from './support/helpers';
import { PREMISE, screenplayPipeline } from './support/screenplay';

const SCENE = (n: number) => `Scene ${n} of 3`;

describe('model calls recorded on PostgreSQL', () => {
  let database: TestDatabase;
  let stub: OpenAIStub;
  let hangScene2 = true;
  let engine: Storyloom | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    stub = await startOpenAIStub({
      latencyMs: 10,
      // Scene 2's dialogue never answers while the first driver lives: it is the call in flight at the crash.
      respond: (request) => (hangScene2 && request.prompt.includes(SCENE(2)) ? new Promise(() => undefined) : undefined),
    });
  });
  afterAll(async () => {
    await engine?.close();
    await stub.close();
    await database.drop();
  });

  it('reads completed calls back after a takeover and re-sends only the one in flight', async () => {
    const calls: ModelCallInfo[] = [];
    engine = await openStoryloom({
      databaseUrl: database.url,
      env: { OPENAI_BASE_URL: stub.url },
      maxRetries: 0,
      ownerId: 'successor',
      observer: { modelCallFinished: (info) => calls.push(info) },
    });
    const run = await engine.startRun({ pipeline: { ...screenplayPipeline(), model: 'openai:stub-model' }, inputs: { premise: PREMISE } });
    const first = spawnChild([database.url, 'drive', run.id], { OPENAI_BASE_URL: stub.url });
    const rows = async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query("SELECT call_key FROM model_calls WHERE run_id = $1 AND node_id = 'lines' ORDER BY call_key", [run.id])).rows;
      } finally {
        await client.end();
      }
    };
    // Scenes 1 and 3, and the continuity facts read from each.
    await waitFor(async () => (await rows()).length === 4, 60_000, 'scenes 1 and 3 of the dialogue and their facts to be recorded');
    first.child.kill('SIGKILL');
    await first.exited;
    const dialoguePrompt = (n: number) => stub.requests.find((request) => request.prompt.includes(SCENE(n)))!.prompt;
    const sentBefore = stub.requests.length;
    expect([1, 2, 3].map((n) => stub.requests.filter((request) => request.prompt === dialoguePrompt(n)).length)).toEqual([1, 1, 1]);

    hangScene2 = false;
    const done = await engine.drive(run.id); // the killed holder's pid is gone: its lease is taken at once
    expect(done.status).toBe('completed');

    const sendings = (n: number) => stub.requests.filter((request) => request.prompt === dialoguePrompt(n)).length;
    expect([sendings(1), sendings(2), sendings(3)]).toEqual([1, 2, 1]);
    // Nothing the first driver finished went out again: the only repeat is scene 2.
    const resent = stub.requests.slice(sentBefore).filter((request) => stub.requests.slice(0, sentBefore).some((earlier) => earlier.prompt === request.prompt));
    expect(resent.map((request) => request.prompt)).toEqual([dialoguePrompt(2)]);
    const dialogueCalls = calls.filter((call) => call.nodeId === 'lines' && call.provider === 'openai');
    expect(dialogueCalls.filter((call) => call.replayed)).toHaveLength(4);
    expect(dialogueCalls.filter((call) => !call.replayed).length).toBeGreaterThanOrEqual(1);
    expect((await rows()).length).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
