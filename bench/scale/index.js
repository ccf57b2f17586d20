// bench/scale: many machines on this one (every part a real process on 127.0.0.1): one `storyloom serve` that
// only enqueues, `storyloom worker` processes driving from BullMQ, PostgreSQL holding everything. RUNS runs of a
// 4-node chain at MODEL_MS per model call (the offline model's simulated latency), submitted at once:
//   - throughput with 3 workers against 1 worker, the same per-worker concurrency (goal ≥ 2.7×);
//   - API p99 (GET a run, GET a page of runs) while the 3 workers drive, against the same requests on the idle
//     server just before, measured in this run;
//   - recovery after a worker SIGKILL: from the kill to the first node started again on each of its runs, against
//     the queue's lock duration + stall-check interval (goal: within it; both configurable, here 2 s + 1 s).
// Needs PostgreSQL (STORYLOOM_TEST_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres) and Redis
// (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10: keys under a prefix of this run's own, removed after).
'use strict';
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const pg = require('pg');
const { percentile } = require('../server/shared');

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'packages/server/bin/storyloom.js');
const ADMIN_URL = process.env.STORYLOOM_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/10';
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const MODEL_MS = 200;
const CHAIN = 4;
/** Runs each worker drives at once: the same in both throughput phases. */
const PER_WORKER = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const LOCK_MS = 2_000;
const STALL_MS = 1_000;
const API_CLIENTS = 4;
const SUBMITTERS = 8;

const pipeline = {
  format: 'storyloom/pipeline@1',
  id: 'bench-chain',
  name: 'Bench chain',
  inputs: { premise: { type: 'string', required: true } },
  model: { provider: 'offline', latencyMs: MODEL_MS },
  nodes: Array.from({ length: CHAIN }, (_, i) => ({
    id: `n${i}`,
    type: 'prompt',
    writes: `n${i}_out`,
    config: { template: `Step ${i} of {{inputs.premise}}. ${i > 0 ? `{{n${i - 1}_out}}` : ''}`.trim() },
  })),
  edges: Array.from({ length: CHAIN - 1 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` })),
};

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase() {
  const name = `storyloom_bench_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  // BENCH_PG_OPTIONS (e.g. "-c synchronous_commit=off") sets session options for every process: what-if runs.
  if (process.env.BENCH_PG_OPTIONS) url.searchParams.set('options', process.env.BENCH_PG_OPTIONS);
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

function start(args, env, ready) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, STORYLOOM_API_KEYS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`${args[0]} exited (${code}): ${out}`)));
    const timer = setInterval(() => {
      const match = ready.exec(out);
      if (!match) return;
      clearInterval(timer);
      child.removeAllListeners('exit');
      resolve({ child, match, output: () => out });
    }, 20);
  });
}

/** CPU time (user + system) a live process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid) {
  try {
    const fields = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

const stop = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });

async function request(url, init) {
  const started = performance.now();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

/** One deployment: a PostgreSQL database, a Redis key prefix, one API server and `workers` workers. */
async function deployment(workers, extraEnv = {}) {
  const database = await createDatabase();
  const prefix = `storyloom-bench-${randomBytes(4).toString('hex')}`;
  const env = {
    STORYLOOM_DATABASE_URL: database.url,
    STORYLOOM_REDIS_URL: REDIS_URL,
    STORYLOOM_QUEUE_PREFIX: prefix,
    STORYLOOM_QUEUE_LOCK_MS: String(LOCK_MS),
    STORYLOOM_QUEUE_STALL_MS: String(STALL_MS),
    STORYLOOM_PIPELINES_DIR: '',
    ...extraEnv,
  };
  const server = await start(['serve', '--port', '0'], env, /Storyloom on http:\/\/localhost:(\d+)/);
  const url = `http://127.0.0.1:${server.match[1]}`;
  const pool = await Promise.all(Array.from({ length: workers }, () => start(['worker', '--concurrency', String(PER_WORKER)], env, /Storyloom worker:/)));
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  return {
    url,
    server: server.child,
    workers: pool.map((worker) => worker.child),
    db,
    async close() {
      await Promise.all([server.child, ...pool.map((worker) => worker.child)].map(stop));
      await db.end();
      await database.drop();
      await removeKeys(prefix);
    },
  };
}

async function removeKeys(prefix) {
  const Redis = require(require.resolve('ioredis', { paths: [path.join(ROOT, 'packages/server')] }));
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Submits `count` runs, SUBMITTERS requests at a time (a client fleet, not one client one by one). */
async function submit(url, count) {
  const ids = [];
  let next = 0;
  const submitter = async () => {
    for (let i = next++; i < count; i = next++) {
      const response = await fetch(`${url}/api/runs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ pipeline, inputs: { premise: `run ${i}: a ferry that never docks` } }),
      });
      if (response.status !== 202) throw new Error(`submit: ${response.status} ${await response.text()}`);
      ids.push((await response.json()).id);
    }
  };
  await Promise.all(Array.from({ length: SUBMITTERS }, submitter));
  return ids;
}

/**
 * Where a run's time went, from its events (mean over runs, ms): queued before its first node, model nodes
 * (started → completed; the model alone is MODEL_MS), and between one node's end and the next one's start.
 */
async function breakdown(db) {
  const { rows } = await db.query(`
    SELECT r.id, EXTRACT(EPOCH FROM r.created_at::timestamptz) * 1000 AS created, e.type, e.node_id, EXTRACT(EPOCH FROM e.at::timestamptz) * 1000 AS at
    FROM runs r JOIN run_events e ON e.run_id = r.id
    WHERE e.type IN ('run.started', 'node.started', 'node.completed', 'run.completed') ORDER BY r.id, e.seq`);
  const runs = new Map();
  for (const row of rows) {
    if (!runs.has(row.id)) runs.set(row.id, { created: Number(row.created), events: [] });
    runs.get(row.id).events.push({ type: row.type, at: Number(row.at) });
  }
  const queued = [];
  const opening = [];
  const inNode = [];
  const between = [];
  const closing = [];
  for (const { created, events } of runs.values()) {
    const at = (type) => events.find((event) => event.type === type)?.at;
    const starts = events.filter((event) => event.type === 'node.started');
    const ends = events.filter((event) => event.type === 'node.completed');
    if (starts.length === 0 || at('run.started') === undefined || at('run.completed') === undefined) continue;
    queued.push(at('run.started') - created);
    opening.push(starts[0].at - at('run.started'));
    starts.forEach((start, i) => ends[i] && inNode.push(ends[i].at - start.at));
    ends.forEach((end, i) => starts[i + 1] && between.push(starts[i + 1].at - end.at));
    closing.push(at('run.completed') - ends.at(-1).at);
  }
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const { rows: stats } = await db.query('SELECT xact_commit::int AS n FROM pg_stat_database WHERE datname = current_database()');
  return (
    `mean per run: queued ${ms(mean(queued))}, run.started → first node ${ms(mean(opening))}, per node ${ms(mean(inNode))} (model ${MODEL_MS} ms), ` +
    `between nodes ${ms(mean(between))}, last node → run.completed ${ms(mean(closing))}; ${(stats[0].n / RUNS).toFixed(0)} PostgreSQL transactions per run`
  );
}

async function untilAllEnded(db, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query("SELECT COUNT(*)::int AS open, COUNT(*) FILTER (WHERE status = 'failed')::int AS failed FROM runs WHERE status NOT IN ('completed', 'cancelled')");
    if (rows[0].open === rows[0].failed) {
      if (rows[0].failed > 0) throw new Error(`${rows[0].failed} runs failed`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`runs still open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** API latencies from `API_CLIENTS` clients reading a run and a page of runs, until `stop()`. */
function apiLoad(url, runIds) {
  const latencies = [];
  let running = true;
  const clients = Array.from({ length: API_CLIENTS }, async (_, c) => {
    for (let i = c; running; i += 1) {
      const id = runIds[i % runIds.length];
      latencies.push(await request(i % 2 === 0 ? `${url}/api/runs/${id}` : `${url}/api/runs?view=summary&limit=20`));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      return latencies;
    },
  };
}

async function throughput(workers) {
  const deployment_ = await deployment(workers);
  try {
    const cpuOf = (children) => children.reduce((sum, child) => sum + cpuMs(child.pid), 0);
    const before = { workers: cpuOf(deployment_.workers), server: cpuOf([deployment_.server]) };
    const started = performance.now();
    await submit(deployment_.url, RUNS);
    await untilAllEnded(deployment_.db);
    const seconds = (performance.now() - started) / 1000;
    const cpu = { workers: (cpuOf(deployment_.workers) - before.workers) / RUNS, server: (cpuOf([deployment_.server]) - before.server) / RUNS };
    return { runsPerSecond: RUNS / seconds, seconds, cpu, breakdown: await breakdown(deployment_.db) };
  } finally {
    await deployment_.close();
  }
}

/** API latencies on an idle server (the baseline), then while 3 workers drive RUNS runs, on one deployment. */
async function apiUnderLoad() {
  const deployment_ = await deployment(3);
  try {
    const [seed] = await submit(deployment_.url, 1);
    await untilAllEnded(deployment_.db);
    const quiet = apiLoad(deployment_.url, [seed]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const idle = await quiet.stop();
    const ids = await submit(deployment_.url, RUNS);
    const load = apiLoad(deployment_.url, ids);
    await untilAllEnded(deployment_.db);
    return { idle, busy: await load.stop() };
  } finally {
    await deployment_.close();
  }
}

async function recovery() {
  const deployment_ = await deployment(2, { STORYLOOM_LEASE_TTL_MS: '2000' });
  try {
    await submit(deployment_.url, 8);
    const pids = deployment_.workers.map((child) => child.pid);
    let victim;
    while (!victim) {
      const { rows } = await deployment_.db.query("SELECT id, lease_pid FROM runs WHERE status = 'running' AND lease_pid = ANY($1)", [pids]);
      if (rows.length > 0) victim = { pid: rows[0].lease_pid, runs: rows.filter((row) => row.lease_pid === rows[0].lease_pid).map((row) => row.id) };
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const killedAt = Date.now();
    await stop(deployment_.workers[pids.indexOf(victim.pid)]);
    const recovered = new Map();
    const takenOver = new Map();
    const deadline = Date.now() + 60_000;
    while (recovered.size < victim.runs.length && Date.now() < deadline) {
      const { rows: leases } = await deployment_.db.query('SELECT id, lease_pid FROM runs WHERE id = ANY($1) AND lease_pid IS NOT NULL AND lease_pid <> $2', [victim.runs, victim.pid]);
      for (const row of leases) if (!takenOver.has(row.id)) takenOver.set(row.id, Date.now() - killedAt);
      const { rows } = await deployment_.db.query(
        "SELECT run_id, MIN(at) AS at FROM run_events WHERE run_id = ANY($1) AND type = 'node.started' AND at > $2 GROUP BY run_id",
        [victim.runs, new Date(killedAt).toISOString()],
      );
      for (const row of rows) if (!recovered.has(row.run_id)) recovered.set(row.run_id, Date.parse(row.at) - killedAt);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await untilAllEnded(deployment_.db);
    return { runs: victim.runs.length, times: [...recovered.values()], takeovers: [...takenOver.values()] };
  } finally {
    await deployment_.close();
  }
}

const ms = (value) => `${value.toFixed(0)} ms`;

async function main() {
  console.log(`${RUNS} runs of a ${CHAIN}-node chain at ${MODEL_MS} ms per model call; ${PER_WORKER} runs at a time per worker; queue lock ${LOCK_MS} ms + stall check ${STALL_MS} ms`);
  const ideal = (workers) => ((workers * PER_WORKER) / ((CHAIN * MODEL_MS) / 1000)).toFixed(2);
  const phases = (process.env.BENCH_SCALE_PHASES ?? 'throughput,api,recovery').split(',');
  const cpuText = (result) =>
    `CPU per run: workers ${ms(result.cpu.workers)}, server ${ms(result.cpu.server)} (= ${((result.cpu.workers + result.cpu.server) * result.runsPerSecond / 1000).toFixed(2)} cores at this rate)`;
  if (phases.includes('throughput')) {
  const one = await throughput(1);
  console.log(`1 worker:  ${one.seconds.toFixed(1)} s, ${one.runsPerSecond.toFixed(2)} runs/s (ideal ${ideal(1)}); ${one.breakdown}`);
  const three = await throughput(3);
  console.log(`3 workers: ${three.seconds.toFixed(1)} s, ${three.runsPerSecond.toFixed(2)} runs/s (ideal ${ideal(3)}); ${three.breakdown}`);
  console.log(`  ${cpuText(one)} · 3 workers: ${cpuText(three)}`);
  console.log(`throughput 3 workers vs 1: ${(three.runsPerSecond / one.runsPerSecond).toFixed(2)}× (goal ≥ 2.7×)`);
  }
  if (phases.includes('api')) {
  const api = await apiUnderLoad();
  const p = (values, q) => percentile(values, q);
  console.log(
    `API while 3 workers drive ${RUNS} runs (${API_CLIENTS} clients, ${api.busy.length} requests): p50 ${ms(p(api.busy, 50))}, p99 ${ms(p(api.busy, 99))}; ` +
      `idle (${api.idle.length} requests): p50 ${ms(p(api.idle, 50))}, p99 ${ms(p(api.idle, 99))}; p99 ratio ${(p(api.busy, 99) / p(api.idle, 99)).toFixed(2)}×`,
  );
  }
  if (!phases.includes('recovery')) return;
  const recovered = await recovery();
  const worst = Math.max(...recovered.takeovers);
  console.log(
    `recovery after SIGKILL of a worker driving ${recovered.runs} run(s): lease taken by another worker after ${recovered.takeovers.map(ms).join(', ')} ` +
      `(worst ${ms(worst)} = ${(worst / (LOCK_MS + STALL_MS)).toFixed(2)}× lock + stall of ${LOCK_MS + STALL_MS} ms; goal ≤ 1×, < 10 s); ` +
      `first node started again after ${recovered.times.map(ms).join(', ')}`,
  );
  if (recovered.times.length < recovered.runs) throw new Error('not every run of the killed worker was taken over');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
