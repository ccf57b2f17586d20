// Dispatch through BullMQ (STORYLOOM_REDIS_URL) on PostgreSQL: the server only enqueues and a RunWorker drives;
// a gate ends the job and the decision enqueues the rest; a cancel reaches the worker within a second; after the
// test's own Redis database is flushed, the reconciler enqueues the lost runs again from PostgreSQL.
import { openStoryloom, type RunView, type Storyloom } from '@storyloom/engine/node';
import Redis from 'ioredis';
import { queueSettingsFromEnv } from '../../src/dispatch/queue-settings';
import { runQueue } from '../../src/dispatch/queue-dispatcher';
import { RunWorker } from '../../src/dispatch/run-worker';
import { type RunningServer, startServer } from '../../src/server';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';
import { PREMISE, screenplayPipeline } from './support';

/** A Redis database index of this test's own (FLUSHDB only ever touches it). */
const REDIS_URL = 'redis://127.0.0.1:6379/11';
const PREFIX = `storyloom-test-${process.pid}`;
const ENV = {
  STORYLOOM_REDIS_URL: REDIS_URL,
  STORYLOOM_QUEUE_PREFIX: PREFIX,
  STORYLOOM_LEASE_TTL_MS: '1000',
  STORYLOOM_QUEUE_LOCK_MS: '2000',
  STORYLOOM_QUEUE_STALL_MS: '1000',
};

let database: TestDatabase;
let stub: OpenAIStub;
let server: RunningServer;
let workerEngine: Storyloom;
let worker: RunWorker | undefined;
const errors: string[] = [];

const call = async <T = RunView>(method: string, pathname: string, json?: unknown): Promise<{ status: number; body: T }> => {
  const response = await fetch(server.url + pathname, {
    method,
    headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: response.status, body: (await response.json()) as T };
};

async function waitForStatus(runId: string, statuses: RunView['status'][], timeoutMs = 20_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call('GET', `/api/runs/${runId}`);
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const startWorker = () => {
  worker = new RunWorker(workerEngine, { settings: queueSettingsFromEnv(ENV)!, concurrency: 2, logError: (message) => errors.push(message) });
  return worker.ready();
};

beforeAll(async () => {
  database = await createTestDatabase();
  stub = await startOpenAIStub({ latencyMs: 10 });
  const env = { ...ENV, OPENAI_BASE_URL: stub.url };
  server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: database.url, env, pipelinesDir: null, overrides: { checkResponses: true } });
  workerEngine = await openStoryloom({ databaseUrl: database.url, env, leaseTtlMs: 1000, ownerId: 'worker' });
});
afterAll(async () => {
  await worker?.stop(0);
  await server.close();
  await workerEngine.close();
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  await stub.close();
  await database.drop();
});

it('the server only enqueues; a worker drives to the gate, and the decision through the API enqueues the rest', async () => {
  const health = await call<{ ok: boolean; queue: unknown; database: unknown }>('GET', '/api/health');
  expect(health).toEqual({ status: 200, body: expect.objectContaining({ ok: true, database: { ok: true, kind: 'postgres' }, queue: { ok: true, kind: 'bullmq' } }) });

  const started = await call('POST', '/api/runs', { pipeline: screenplayPipeline({ approval: true }), inputs: { premise: PREMISE } });
  expect(started.status).toBe(202);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect((await call('GET', `/api/runs/${started.body.id}`)).body.status).toBe('queued'); // nobody drives in the server

  await startWorker();
  const waiting = await waitForStatus(started.body.id, ['waiting']);
  expect(waiting.pending.map((entry) => entry.nodeId)).toEqual(['cast']);
  expect((await call('POST', `/api/runs/${started.body.id}/approvals/cast`, { decision: 'approve' })).status).toBe(200);
  expect((await waitForStatus(started.body.id, ['completed', 'failed'])).status).toBe('completed');
}, 60_000);

it('a cancel reaches the driving worker within a second', async () => {
  stub.setBehavior({ latencyMs: 5_000 });
  try {
    const started = await call('POST', '/api/runs', { pipeline: { ...screenplayPipeline(), model: 'openai:stub-model' }, inputs: { premise: PREMISE } });
    await waitForStatus(started.body.id, ['running']);
    const requests = stub.requests.length;
    while (stub.requests.length === requests) await new Promise((resolve) => setTimeout(resolve, 20)); // a model call is in flight
    const asked = Date.now();
    expect((await call('POST', `/api/runs/${started.body.id}/cancel`)).status).toBe(200);
    await waitForStatus(started.body.id, ['cancelled'], 5_000);
    expect(Date.now() - asked).toBeLessThan(1_000);
  } finally {
    stub.setBehavior({ latencyMs: 10 });
  }
}, 60_000);

it('the reconciler enqueues again, from PostgreSQL, the runs whose jobs a Redis flush lost', async () => {
  await worker!.stop(0);
  worker = undefined;
  const runs = await Promise.all(
    [1, 2, 3].map(async () => (await call('POST', '/api/runs', { pipeline: screenplayPipeline(), inputs: { premise: PREMISE } })).body.id),
  );
  const redis = new Redis(REDIS_URL);
  try {
    expect(Number(await redis.dbsize())).toBeGreaterThan(0);
    await redis.flushdb(); // only this test's database index
  } finally {
    redis.disconnect();
  }
  await startWorker();
  for (const id of runs) expect((await waitForStatus(id, ['completed', 'failed'], 30_000)).status).toBe('completed');
}, 60_000);

it('a stopping worker hands its runs back to the queue after its grace period, and another finishes them', async () => {
  stub.setBehavior({ latencyMs: 1_500 });
  try {
    const started = await call('POST', '/api/runs', { pipeline: { ...screenplayPipeline(), model: 'openai:stub-model' }, inputs: { premise: PREMISE } });
    await waitForStatus(started.body.id, ['running']);
    const stopping = worker!;
    worker = undefined;
    const asked = Date.now();
    await stopping.stop(200); // the model call in flight takes 1.5 s: the drive is stopped at its checkpoint
    expect(Date.now() - asked).toBeLessThan(1_400);
    const handedBack = (await call('GET', `/api/runs/${started.body.id}`)).body;
    expect(handedBack.status).toBe('running'); // interrupted, no lease: resumable from its checkpoint
    const queue = runQueue(queueSettingsFromEnv(ENV)!);
    try {
      const waiting = await queue.getJobs(['waiting', 'prioritized']);
      expect(waiting.map((job) => job.id)).toContainEqual(expect.stringMatching(new RegExp(`^${started.body.id}\\.[0-9a-f]+$`))); // the hand-back
    } finally {
      await queue.close();
    }
    stub.setBehavior({ latencyMs: 10 });
    await startWorker();
    const done = await waitForStatus(started.body.id, ['completed', 'failed'], 30_000);
    expect(done.status).toBe('completed');
  } finally {
    stub.setBehavior({ latencyMs: 10 });
  }
}, 60_000);
