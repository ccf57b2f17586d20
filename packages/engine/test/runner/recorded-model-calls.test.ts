// No completed model call is sent twice across machines: a driver (a real process) is killed while the dialogue
// node has written two of its three scenes (and read their continuity facts) and the third is still in flight; another engine takes the run over
// on the same PostgreSQL database and reads the two finished replies back instead of sending their prompts again,
// counting what they spent in the node's usage.
import pg from 'pg';
import { openStoryloom } from '../../src/runner/storyloom';
import type { Storyloom } from '../../src/runner/engine';
import type { ModelCallInfo } from '../../src/runner/observer';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';
import { spawnChild, waitFor } from './support/helpers';
import { exampleScreenplay } from '../../../../test/support/example-screenplay';
import { PREMISE } from './support/screenplay';

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
    // A review threshold of 1 sends no scene back for revision: every dialogue call belongs to the one attempt.
    const run = await engine.startRun({ pipeline: { ...exampleScreenplay({ cast: 3, scenes: 3, approval: false, threshold: 1 }), model: 'openai:stub-model' }, inputs: { premise: PREMISE } });
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
    // Scenes 1 and 3 (and whatever calls follow them in the node) finish and are recorded; scene 2 hangs.
    const inFlight = () => stub.requests.filter((request) => request.status === undefined).length;
    const settled = async () => {
      if ((await rows()).length < 2 || inFlight() !== 1) return false;
      const recorded = (await rows()).length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return inFlight() === 1 && (await rows()).length === recorded;
    };
    await waitFor(settled, 60_000, 'every call of the dialogue but scene 2 to be answered and recorded');
    first.child.kill('SIGKILL');
    await first.exited;
    const recordedAtKill = (await rows()).length; // scenes 1 and 3 and the continuity readings of their text
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
    expect(dialogueCalls.filter((call) => call.replayed)).toHaveLength(recordedAtKill);
    expect(dialogueCalls.filter((call) => !call.replayed).length).toBeGreaterThanOrEqual(1);
    expect((await rows()).length).toBeGreaterThan(recordedAtKill);
    // What the killed driver's finished calls spent still counts, once: every answered request is in the run's usage.
    const answered = stub.requests.filter((request) => request.status === 200);
    expect(done.usage).toMatchObject({ calls: answered.length, totalTokens: answered.reduce((sum, request) => sum + request.usage!.total_tokens, 0) });
  }, 120_000);
});
