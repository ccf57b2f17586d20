// PostgreSQL restarted under a running deployment, every part a real process: 1 API server and 2 workers on a
// PostgreSQL cluster of this test's own (the shared one is never restarted), BullMQ on a Redis database index of
// this test's own, the OpenAI-compatible stub (with latency) as the model. 8 runs, some gated and decided only
// after the restart; the cluster is restarted (fast: every connection is terminated) while runs are driven.
// Every run completes, no process exits, /api/health answers 200 again, and an SSE stream opened before the
// restart delivers every event of its run once, in order, without reconnecting.
import type { RunEvent, RunView } from '@storyloom/engine/node';
import Redis from 'ioredis';
import pg from 'pg';
import { collectEvents, type CollectedStream } from '../packages/server/test/http/sse-client';
import { type CliProcess, spawnCli } from './support/cli';
import { startOpenAIStub, type OpenAIStub } from './support/openai-stub';
import { pgBinariesPresent, PG_BIN, type PgCluster, startPgCluster } from './support/pg-cluster';
import { exampleScreenplay } from './support/example-screenplay';

/** This test's own Redis database index: FLUSHDB only ever touches it. */
const REDIS_URL = 'redis://127.0.0.1:6379/13';
const RUNS = 8;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const DATABASE = 'storyloom';

const present = pgBinariesPresent();
if (!present) console.warn(`postgres-restart: skipped, no initdb/pg_ctl in ${PG_BIN} (set STORYLOOM_TEST_PG_BIN)`);

let cluster: PgCluster | undefined;
let stub: OpenAIStub | undefined;
let server: { process: CliProcess; url: string } | undefined;
const workers: CliProcess[] = [];

/** One statement on a connection of its own: the test's reads must not depend on surviving the restart. */
const rows = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => cluster!.query<R>(DATABASE, text, values);

async function call<T>(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (/^[[{]/.test(text) ? JSON.parse(text) : text) as T };
}

function logs(): string {
  return [server?.process, ...workers].map((child) => child && `${child.child.pid}: ${(child.stdout + child.stderr).slice(-2000)}`).join('\n---\n');
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) {
      const open = await rows('SELECT id, status, error, lease_pid FROM runs WHERE status <> $1', ['completed']).catch((error: Error) => error.message);
      throw new Error(`timed out waiting for ${what}; open runs ${JSON.stringify(open)}\n${logs()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  if (!present) return;
  cluster = await startPgCluster();
  await cluster.createDatabase(DATABASE);
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  stub = await startOpenAIStub({ latencyMs: 150 });
  const env = {
    STORYLOOM_DATABASE_URL: cluster.url(DATABASE),
    STORYLOOM_REDIS_URL: REDIS_URL,
    STORYLOOM_QUEUE_PREFIX: `storyloom-pgrestart-${process.pid}`,
    STORYLOOM_LEASE_TTL_MS: '2000',
    STORYLOOM_QUEUE_LOCK_MS: '2000',
    STORYLOOM_QUEUE_STALL_MS: '1000',
    OPENAI_BASE_URL: stub.url,
  };
  const serving = spawnCli(['serve', '--port', '0'], { env: { ...env, STORYLOOM_PIPELINES_DIR: '' } });
  await serving.waitFor(/Storyloom on http:\/\/localhost:\d+/, 30_000);
  server = { process: serving, url: `http://127.0.0.1:${/Storyloom on http:\/\/localhost:(\d+)/.exec(serving.stdout)![1]}` };
  for (let i = 0; i < 2; i += 1) workers.push(spawnCli(['worker', '--concurrency', '4'], { env }));
  for (const worker of workers) await worker.waitFor(/Storyloom worker: 4 runs at a time/, 30_000);
}, 90_000);

afterAll(async () => {
  const children = [...workers, ...(server ? [server.process] : [])];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  if (present) {
    const redis = new Redis(REDIS_URL);
    await redis.flushdb().catch(() => undefined);
    redis.disconnect();
  }
  await stub?.close();
  await cluster?.destroy();
});

(present ? it : it.skip)('runs driven by 1 server and 2 workers all complete across a PostgreSQL restart, and SSE keeps delivering', async () => {
  const runs: Array<{ id: string; gated: boolean }> = [];
  for (let k = 0; k < RUNS; k += 1) {
    const gated = k % 3 === 1;
    const pipeline = { ...exampleScreenplay({ id: `restart-${k}`, cast: 2, scenes: 2, approval: gated, threshold: 1 }), model: `openai:stub-run-${k}` };
    const { status, body } = await call<RunView>('/api/runs', 'POST', { pipeline, inputs: { premise: `Lighthouse ${k}: a keeper counts ships named Vell${k} that never dock.` } });
    expect(status).toBe(202);
    runs.push({ id: body.id, gated });
  }
  // Open before the restart: a gated run (its decision, and so the rest of its events, come after it) and an
  // ungated one driven through it.
  const watched = [runs[1], runs[0]];
  const streams: CollectedStream[] = watched.map((run) => collectEvents(`${server!.url}/api/runs/${run.id}/events`));
  await Promise.all(streams.map((stream) => stream.until((event) => event.type === 'run.started', 20_000)));

  // Restart while runs are being driven and model calls are in flight.
  await until('runs to be driven', async () => {
    const driven = await rows<{ n: number }>("SELECT COUNT(*)::int AS n FROM runs WHERE status = 'running' AND lease_pid IS NOT NULL");
    return driven[0].n >= 2 && stub!.requests.length >= 10;
  }, 30_000);
  const openAtRestart = await rows<{ id: string }>("SELECT id FROM runs WHERE status IN ('queued', 'running')");
  await cluster!.restart();
  const restartedAt = Date.now();

  await until('/api/health to answer 200 again', async () => (await call('/api/health')).status === 200, 15_000);
  const health = await call<{ ok: boolean }>('/api/health');
  expect(health.body).toMatchObject({ ok: true, database: { kind: 'postgres', ok: true }, queue: { kind: 'bullmq', ok: true } });

  // Decisions are made only now, through the restarted database.
  const decided = new Set<string>();
  let deciding = true;
  const decider = (async () => {
    while (deciding) {
      const { status, body: pending } = await call<Array<{ runId: string; nodeId: string }>>('/api/approvals').catch(() => ({ status: 0, body: [] }));
      if (status === 200) {
        for (const entry of pending) {
          const { status: decidedStatus } = await call(`/api/runs/${entry.runId}/approvals/${entry.nodeId}`, 'POST', { decision: 'approve' });
          if (decidedStatus === 200) decided.add(entry.runId);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await until('every run to end', async () => {
      const states = await rows<{ status: string }>('SELECT status FROM runs');
      return states.length === RUNS && states.every((row) => TERMINAL.has(row.status));
    }, 45_000);
  } finally {
    deciding = false;
    await decider;
  }

  const outcomes = await rows<{ id: string; status: string; error: string | null }>('SELECT id, status, error FROM runs');
  expect(outcomes.filter((row) => row.status !== 'completed')).toEqual([]);
  expect(openAtRestart.length).toBeGreaterThanOrEqual(2); // the restart did hit runs in flight
  expect([...decided].sort()).toEqual(runs.filter((run) => run.gated).map((run) => run.id).sort());
  // No process exited over the restart.
  for (const child of [server!.process, ...workers]) expect({ pid: child.child.pid, exitCode: child.child.exitCode, signal: child.child.signalCode }).toEqual({ pid: child.child.pid, exitCode: null, signal: null });

  // Each stream saw every stored event of its run once, in order, on the one connection opened before the restart.
  for (const [index, stream] of streams.entries()) {
    await stream.until((event: RunEvent) => event.type === 'run.completed', 10_000);
    stream.close();
    const stored = await rows<{ seq: number }>('SELECT seq FROM run_events WHERE run_id = $1 ORDER BY seq', [watched[index].id]);
    expect(stream.events.map((event) => event.seq)).toEqual(stored.map((row) => row.seq));
    expect(stream.connections).toEqual([null]);
  }
  const afterRestart = streams[0].events.filter((event) => Date.parse(event.at) > restartedAt);
  expect(afterRestart.length).toBeGreaterThan(0);

  const metrics = await call<string>('/api/metrics');
  expect(metrics.body).toMatch(new RegExp(`^storyloom_runs\\{status="completed"\\} ${RUNS}$`, 'm'));
}, 120_000);
