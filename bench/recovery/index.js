// bench/recovery: what a server's continuous look for orphaned runs costs. A database of 5,000 runs (4,000
// completed, 500 queued and already in this server's queue, 300 waiting for a person, 200 running under live
// leases of other processes): one scan (`orphanedRuns` as the server calls it every lease renewal) against
// the naive scan that builds every candidate run's view first (how recovery at start used to read runs),
// both measured here; and one scan as a share of the 3 s interval between scans. Also the lease fence on the
// runner's hot path (the epoch check that opens each node's start and finish transactions): a fenced
// transaction against the same transaction unfenced, and the difference against the engine's own CPU time
// per node on a 50-node chain, all measured in the same run.
const { engine, Database, tempDb, median, fmt, promptPipeline, chainShape, runStoryloom } = require('../engine/support');
const fs = require('node:fs');
const path = require('node:path');
const dist = path.join(__dirname, '../../packages/engine/dist');
const { openStores } = require(path.join(dist, 'store/index.js'));
const { fencedTransaction } = require(path.join(dist, 'runner/run-context.js'));

const SHAPE = { completed: 4_000, queued: 500, waiting: 300, running: 200 };
const INTERVAL_MS = engine.leaseRenewMs(engine.LEASE_TTL_MS);

async function seed(dbPath) {
  const pipeline = JSON.parse(fs.readFileSync(path.join(__dirname, '../../pipelines/short-screenplay.json'), 'utf8'));
  const storyloom = await engine.openStoryloom({ dbPath, env: {}, ownerId: 'bench' });
  const template = await storyloom.startRun({ pipeline, inputs: { premise: 'A cartographer maps a city that rearranges itself every night.' } });
  await storyloom.close();
  const db = new Database(dbPath);
  const copy = db.prepare(
    `INSERT INTO runs (id, pipeline_id, version, status, inputs, model, pipeline, auto_approve, parent_run_id, error, created_at, updated_at,
                       cancel_requested, lease_owner, lease_host, lease_pid, lease_started, lease_expires)
     SELECT @id, pipeline_id, version, @status, inputs, model, pipeline, auto_approve, NULL, NULL, @at, @at, 0, @owner, @host, @pid, @started, @expires
     FROM runs WHERE id = @template`,
  );
  const ask = db.prepare("INSERT INTO approvals (run_id, node_id, attempt, status, requested_at) VALUES (?, 'cast', 1, 'pending', ?)");
  const started = engine.processStartTime() ?? null;
  const ids = { queued: [] };
  db.transaction(() => {
    let n = 0;
    for (const [status, count] of Object.entries(SHAPE)) {
      for (let i = 0; i < count; i += 1) {
        const id = `run-bench-${String((n += 1)).padStart(5, '0')}`;
        const held = status === 'running';
        copy.run({
          id,
          status,
          at: new Date(Date.now() - 3_600_000 + n).toISOString(), // an hour ago: old enough for every rule
          owner: held ? 'another-process' : null,
          host: held ? require('node:os').hostname() : null,
          pid: held ? process.pid : null,
          started: held ? started : null,
          expires: held ? Date.now() + 3_600_000 : null,
          template: template.id,
        });
        if (status === 'queued') ids.queued.push(id);
        if (status === 'waiting') ask.run(id, new Date().toISOString()); // a person has yet to decide
      }
    }
    db.prepare('DELETE FROM runs WHERE id = ?').run(template.id);
  })();
  db.close();
  return new Set(ids.queued);
}

async function main() {
  const dbPath = tempDb('recovery.db');
  const inOwnQueue = await seed(dbPath);
  const storyloom = await engine.openStoryloom({ dbPath, env: {}, ownerId: 'bench-server' });
  const options = { undrivenForMs: engine.LEASE_TTL_MS, exclude: (id) => inOwnQueue.has(id) };
  const scan = () => storyloom.orphanedRuns(options);
  const naive = async () =>
    (await Promise.all(['running', 'queued', 'waiting'].map((status) => storyloom.listRuns({ status }))))
      .flat()
      .filter((run) => !inOwnQueue.has(run.id) && (run.status !== 'running' || run.interrupted) && (run.status !== 'waiting' || run.pending.length === 0));
  if ((await scan()).length !== 0 || (await naive()).length !== 0) throw new Error('the seeded database should have no orphans');
  const timedMs = (fn, times) => async () => {
    const started = performance.now();
    for (let i = 0; i < times; i += 1) await fn();
    return (performance.now() - started) / times;
  };
  const scanMs = await median(7, timedMs(scan, 20));
  const naiveMs = await median(7, timedMs(naive, 3));
  await storyloom.close();
  const total = Object.values(SHAPE).reduce((sum, n) => sum + n, 0);
  console.log(`${total} runs (${Object.entries(SHAPE).map(([status, n]) => `${n} ${status}`).join(', ')}), no orphan among them; medians of 7:`);
  console.log(`  one scan ${fmt(scanMs)} ms vs building every candidate's view ${fmt(naiveMs)} ms: ratio ${fmt(scanMs / naiveMs, 3)}x`);
  console.log(`  one scan every ${INTERVAL_MS} ms: ${fmt((100 * scanMs) / INTERVAL_MS, 3)} % of one core`);
}

/** Per-node CPU ms of a 50-node chain (offline model, no latency) and µs per fenced and plain transaction, medians of 7. */
async function fenceCost() {
  const pipeline = promptPipeline(chainShape(50), { provider: 'offline', latencyMs: 0 });
  const perNodeCpuMs = await median(7, async () => {
    const before = process.cpuUsage();
    const { storyloom } = await runStoryloom(pipeline);
    const used = process.cpuUsage(before);
    await storyloom.close();
    return (used.user + used.system) / 1000 / pipeline.nodes.length;
  });
  const dbPath = tempDb('fence.db');
  const { storyloom, run } = await runStoryloom(pipeline, undefined, dbPath);
  await storyloom.close();
  const stores = await openStores({ dbPath });
  const claim = await stores.runs.claimLease(run.id, { owner: 'bench', host: 'h', pid: 1, ttlMs: 60_000, holderIsGone: () => false });
  const lease = { owner: 'bench', epoch: claim.epoch };
  // The smallest write a node makes, committed on its own: the fence's share is largest here.
  const write = (tx) => tx.runs.touch(run.id);
  const writes = 2_000;
  const perWriteUs = (transact) => async () => {
    const started = performance.now();
    for (let i = 0; i < writes; i += 1) await transact();
    return ((performance.now() - started) * 1000) / writes;
  };
  const fencedUs = await median(7, perWriteUs(() => fencedTransaction(stores, run.id, lease, write)));
  const plainUs = await median(7, perWriteUs(() => stores.transaction(write)));
  await stores.close();
  const fenceUs = Math.max(0, fencedUs - plainUs);
  console.log(`lease fence: a fenced transaction ${fmt(fencedUs)} µs vs unfenced ${fmt(plainUs)} µs: ratio ${fmt(fencedUs / plainUs, 3)}x`);
  // A node that calls the model is fenced twice (started, finished); a gate once more.
  console.log(`  the check, two per node = ${fmt((100 * 2 * fenceUs) / 1000 / perNodeCpuMs, 3)} % of the engine's ${fmt(perNodeCpuMs)} ms CPU per node`);
}

main().then(fenceCost).catch((error) => {
  console.error(error);
  process.exit(1);
});
