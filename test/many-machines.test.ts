// Many machines on 127.0.0.1, every part a real process: 2 API servers (`storyloom serve`) and 3 workers
// (`storyloom worker`) on one PostgreSQL database and one Redis database index of this test's own, with the
// OpenAI-compatible stub as the model. 30 runs, a third of them gated and decided through the other server.
// A worker driving runs is SIGKILLed: every run still completes, and no prompt answered before the kill is sent
// again. Redis is flushed mid-test: the reconciler enqueues the lost runs again from PostgreSQL. Two SSE clients
// read a run each from one server, reconnect with Last-Event-ID to the other, and see every event once, in order.
// (PostgreSQL is shared with other test runs on this machine, so it is not restarted here.)
import type { RunEvent, RunView } from '@storyloom/engine/node';
import Redis from 'ioredis';
import pg from 'pg';
import { exampleScreenplay } from './support/example-screenplay';
import { type CliProcess, spawnCli } from './support/cli';
import { startOpenAIStub, type OpenAIStub } from './support/openai-stub';
import { createTestDatabase, type TestDatabase } from './support/postgres';

/** This test's own Redis database index: FLUSHDB only ever touches it. */
const REDIS_URL = 'redis://127.0.0.1:6379/12';
const RUNS = 30;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

let database: TestDatabase;
let stub: OpenAIStub;
const servers: Array<{ process: CliProcess; url: string }> = [];
const workers: CliProcess[] = [];

async function json<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T };
}

async function query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Reads a run's event stream until `enough(events)` (then hangs up) or until the server ends it. */
async function readStream(url: string, lastEventId: number | undefined, enough: (events: RunEvent[]) => boolean): Promise<RunEvent[]> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) }, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: RunEvent[] = [];
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message.split('\n').find((line) => line.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as RunEvent);
        if (enough(events)) return events;
      }
    }
  } finally {
    controller.abort();
  }
}

/** Half the run's events from one server, then the rest from the other after a reconnect with Last-Event-ID. */
async function followAcross(runId: string, first: string, second: string): Promise<{ events: RunEvent[]; resumedAfter: number }> {
  const before = await readStream(`${first}/api/runs/${runId}/events`, undefined, (events) => events.length >= 6);
  const resumedAfter = before.at(-1)!.seq;
  const after = await readStream(`${second}/api/runs/${runId}/events`, resumedAfter, (events) => events.some((event) => event.type === 'run.completed'));
  return { events: [...before, ...after], resumedAfter };
}

beforeAll(async () => {
  database = await createTestDatabase();
  stub = await startOpenAIStub({ latencyMs: 120 });
  const env = {
    STORYLOOM_DATABASE_URL: database.url,
    STORYLOOM_REDIS_URL: REDIS_URL,
    STORYLOOM_QUEUE_PREFIX: `storyloom-e2e-${process.pid}`,
    STORYLOOM_LEASE_TTL_MS: '2000',
    STORYLOOM_QUEUE_LOCK_MS: '2000',
    STORYLOOM_QUEUE_STALL_MS: '1000',
    OPENAI_BASE_URL: stub.url,
  };
  for (let i = 0; i < 2; i += 1) {
    const process = spawnCli(['serve', '--port', '0'], { env: { ...env, STORYLOOM_PIPELINES_DIR: '' } });
    await process.waitFor(/Storyloom on http:\/\/localhost:\d+/, 30_000);
    servers.push({ process, url: `http://127.0.0.1:${/Storyloom on http:\/\/localhost:(\d+)/.exec(process.stdout)![1]}` });
  }
  for (let i = 0; i < 3; i += 1) workers.push(spawnCli(['worker', '--concurrency', '2', '--metrics-port', '0'], { env }));
  for (const worker of workers) await worker.waitFor(/Storyloom worker: 2 runs at a time/, 30_000);
}, 90_000);

afterAll(async () => {
  for (const child of [...workers, ...servers.map((server) => server.process)]) child.kill('SIGKILL');
  await Promise.all([...workers, ...servers.map((server) => server.process)].map((child) => child.exited));
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  await stub.close();
  await database.drop();
});

it('30 runs over 2 servers and 3 workers survive a killed worker and a flushed Redis, with every event streamed in order', async () => {
  // When each stub request was seen answered: a prompt answered well before the kill was recorded by its worker.
  const answeredAt = new Map<number, number>();
  const watch = setInterval(() => {
    for (const request of stub.requests) if (request.status === 200 && !answeredAt.has(request.id)) answeredAt.set(request.id, Date.now());
  }, 10);

  const runs: Array<{ id: string; gated: boolean; via: number }> = [];
  for (let k = 0; k < RUNS; k += 1) {
    const gated = k % 3 === 1;
    // Each run names its own model, so the stub's log tells the runs apart even where their prompts are alike.
    const pipeline = { ...exampleScreenplay({ id: `e2e-${k}`, cast: 2, scenes: 2, approval: gated, threshold: 1 }), model: `openai:stub-run-${k}` };
    const via = k % 2;
    const { status, body } = await json<RunView>(`${servers[via].url}/api/runs`, 'POST', { pipeline, inputs: { premise: `Ferry ${k}: a captain logs passengers named Quorn${k} who never land.` } });
    expect(status).toBe(202);
    runs.push({ id: body.id, gated, via });
  }
  const [a, b] = servers.map((server) => server.url);
  const streams = Promise.all([followAcross(runs[0].id, a, b), followAcross(runs[1].id, b, a)]);

  // Decisions go through the server that did not start the run.
  let deciding = true;
  const decided = new Set<string>();
  const decider = (async () => {
    while (deciding) {
      const { body: pending } = await json<Array<{ runId: string; nodeId: string }>>(`${a}/api/approvals`);
      for (const entry of pending) {
        const run = runs.find((candidate) => candidate.id === entry.runId)!;
        const { status } = await json(`${servers[1 - run.via].url}/api/runs/${entry.runId}/approvals/${entry.nodeId}`, 'POST', { decision: 'approve' });
        if (status === 200) decided.add(entry.runId);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  // Kill the worker driving the most runs, once its drives are under way.
  const workerPids = workers.map((worker) => worker.child.pid!);
  let victim: { pid: number; runs: string[] } | undefined;
  const deadline = Date.now() + 30_000;
  while (!victim) {
    if (Date.now() > deadline) throw new Error('no worker drove two runs at once');
    const rows = await query<{ id: string; lease_pid: number }>("SELECT id, lease_pid FROM runs WHERE status = 'running' AND lease_pid IS NOT NULL");
    for (const pid of workerPids) {
      const held = rows.filter((row) => row.lease_pid === pid).map((row) => row.id);
      if (held.length >= 2 && stub.requests.length > 20) victim = { pid, runs: held };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const killed = workers[workerPids.indexOf(victim.pid)];
  killed.kill('SIGKILL');
  const killedAt = Date.now();
  await killed.exited;

  // Once the killed worker's runs are driven again, flush this test's Redis database: every queued job is lost.
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 40_000) => {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) {
        const runsNow = await query('SELECT id, status, lease_pid, lease_expires FROM runs WHERE status <> $1', ['completed']);
        const logs = [...servers.map((server) => server.process), ...workers].map((child) => `${child.child.pid}: ${(child.stdout + child.stderr).slice(-1500)}`);
        throw new Error(`timed out waiting for ${what}; victim ${JSON.stringify(victim)}; open runs ${JSON.stringify(runsNow)}\n${logs.join('\n---\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await waitFor('the killed worker\'s runs to be taken over', async () => {
    const rows = await query<{ lease_pid: number | null; status: string }>('SELECT lease_pid, status FROM runs WHERE id = ANY($1)', [victim!.runs]);
    return rows.every((row) => row.lease_pid !== victim!.pid);
  });
  const queuedBeforeFlush = (await query<{ n: number }>("SELECT COUNT(*)::int AS n FROM runs WHERE status = 'queued'"))[0].n;
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();

  await waitFor('every run to end', async () => {
    const rows = await query<{ status: string }>('SELECT status FROM runs');
    return rows.length === RUNS && rows.every((row) => TERMINAL.has(row.status));
  }, 75_000);
  deciding = false;
  await decider;
  clearInterval(watch);

  const statuses = await query<{ id: string; status: string; error: string | null }>('SELECT id, status, error FROM runs');
  expect(statuses.filter((row) => row.status !== 'completed')).toEqual([]);
  expect(victim.runs.length).toBeGreaterThanOrEqual(2);
  expect(queuedBeforeFlush).toBeGreaterThan(0); // the flush did lose jobs the reconciler had to enqueue again
  expect([...decided].sort()).toEqual(runs.filter((run) => run.gated).map((run) => run.id).sort());

  // No prompt answered (and so recorded) before the kill went out again after it.
  const callOf = (request: (typeof stub.requests)[number]) => `${request.model}\n${request.messages.map((message) => `${message.role}: ${message.content}`).join('\n')}`;
  const answeredBefore = new Set(stub.requests.filter((request) => (answeredAt.get(request.id) ?? Infinity) < killedAt - 500).map(callOf));
  expect(answeredBefore.size).toBeGreaterThan(5);
  const resent = stub.requests.filter((request) => request.at > killedAt && answeredBefore.has(callOf(request)));
  expect(resent.map((request) => request.prompt.slice(0, 80))).toEqual([]);

  // Each SSE client saw every stored event of its run once, in order, across the reconnect to the other server.
  for (const [index, { events, resumedAfter }] of (await streams).entries()) {
    const stored = await query<{ seq: number }>('SELECT seq FROM run_events WHERE run_id = $1 ORDER BY seq', [runs[index].id]);
    expect(resumedAfter).toBeGreaterThanOrEqual(6);
    expect(events.map((event) => event.seq)).toEqual(stored.map((row) => row.seq));
    expect(events.at(-1)!.type).toBe('run.completed');
  }

  for (const url of [a, b]) {
    const health = await json<{ ok: boolean; queue: { kind: string } }>(`${url}/api/health`);
    expect(health.body).toMatchObject({ ok: true, queue: { kind: 'bullmq', ok: true }, database: { kind: 'postgres', ok: true } });
    const metrics = await json<string>(`${url}/api/metrics`);
    expect(metrics.body).toMatch(new RegExp(`^storyloom_runs\\{status="completed"\\} ${RUNS}$`, 'm'));
  }
  // Each surviving worker reports the nodes and model calls it drove.
  const counted = (text: string, name: string) =>
    [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((sum, match) => sum + Number(match[1]), 0);
  let nodes = 0;
  for (const worker of workers.filter((candidate) => candidate !== killed)) {
    const url = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(worker.stdout)![1];
    const text = await (await fetch(url)).text();
    expect(counted(text, 'storyloom_model_call_duration_seconds_count')).toBeGreaterThan(0);
    expect(counted(text, 'storyloom_model_tokens_total')).toBeGreaterThan(0);
    nodes += counted(text, 'storyloom_node_duration_seconds_count');
  }
  expect(nodes).toBeGreaterThan(0);
}, 120_000);
