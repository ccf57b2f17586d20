// Server benchmark: RUNS screenplay runs submitted at once to a `storyloom serve` process on the
// offline model with 50 ms simulated latency per call. Reports throughput (node executions/s), p50/p99 submit →
// completion, p99 event → SSE delivery lag (sample of runs), the server's peak RSS, and the ratio of its throughput
// to the engine alone driving the same runs in one process at the same concurrency (measured in this run).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RUNS, LATENCY_MS, screenplayPipeline, premiseOf, percentile, peakRssMb, completedNodeCount } = require('./shared');

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'packages/server/bin/storyloom.js');
const SSE_SAMPLE = Number(process.env.BENCH_SSE_SAMPLE ?? 20);

function startServerProcess(dbPath, concurrency) {
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server process.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0', '--db', dbPath], {
    env: { ...process.env, STORYLOOM_CONCURRENCY: String(concurrency), STORYLOOM_API_KEYS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /http:\/\/localhost:(\d+)/.exec(out);
      if (match) {
        child.removeAllListeners('exit');
        resolve({ child, url: `http://127.0.0.1:${match[1]}` });
      }
    });
  });
}

async function postJson(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Reads a run's SSE stream to its end, recording delivery lag (receipt − event.at) of every live event. */
async function followEvents(url, runId, lags) {
  const response = await fetch(`${url}/api/runs/${runId}/events`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const receivedAt = Date.now();
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message.split('\n').find((line) => line.startsWith('data: '));
      if (data) lags.push(receivedAt - Date.parse(JSON.parse(data.slice(6)).at));
    }
  }
}

async function benchServer(concurrency) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-bench-server-'));
  const { child, url } = await startServerProcess(path.join(dir, 'bench.db'), concurrency);
  try {
    const pipeline = screenplayPipeline();
    await postJson(`${url}/api/pipelines`, pipeline);
    const started = Date.now();
    const submitted = await Promise.all(
      Array.from({ length: RUNS }, async (_, index) => {
        const submittedAt = Date.now();
        const { id } = await postJson(`${url}/api/runs`, { pipelineId: pipeline.id, inputs: { premise: premiseOf(index) } });
        return { id, submittedAt };
      }),
    );
    const lags = [];
    // A sample spread over the queue, followed live from while they are still queued.
    const sample = SSE_SAMPLE > 0 ? submitted.filter((_, index) => index % Math.ceil(RUNS / SSE_SAMPLE) === 0) : [];
    const following = Promise.all(sample.map((run) => followEvents(url, run.id, lags)));
    // Runs finish roughly in submission order, so watching the oldest unfinished one costs one small request
    // at a time (listing all runs repeatedly would load the server being measured).
    for (const run of submitted) {
      for (;;) {
        const { status } = await (await fetch(`${url}/api/runs/${run.id}`)).json();
        if (status !== 'queued' && status !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await following;
    const runs = await (await fetch(`${url}/api/runs?pipelineId=${pipeline.id}&limit=500`)).json();
    const finishedAt = Math.max(...runs.map((run) => Date.parse(run.updatedAt)));
    const wallMs = finishedAt - started;
    const submittedAt = new Map(submitted.map((run) => [run.id, run.submittedAt]));
    const durations = runs.map((run) => Date.parse(run.updatedAt) - submittedAt.get(run.id));
    const nodes = runs.reduce((sum, run) => sum + completedNodeCount(run), 0);
    const failed = runs.filter((run) => run.status !== 'completed').length;
    return {
      wallMs,
      nodes,
      failed,
      nodesPerSecond: nodes / (wallMs / 1000),
      p50: percentile(durations, 50),
      p99: percentile(durations, 99),
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      lagSamples: lags.length,
      peakRssMb: peakRssMb(child.pid),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function benchEngineAlone(concurrency) {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'engine-alone.js'), String(concurrency)], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop());
}

const ms = (value) => `${Math.round(value)} ms`;

async function main() {
  const benchStarted = Date.now();
  console.log(`${RUNS} screenplay runs (6 nodes, 6 scenes), offline model at ${LATENCY_MS} ms per call, submitted at once`);
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? '4').split(',').map(Number);
  const rows = [];
  for (const concurrency of concurrencies) {
    // The machine is shared and noisy: the baseline is measured before and after the server, and averaged.
    const before = benchEngineAlone(concurrency);
    const server = await benchServer(concurrency);
    const after = benchEngineAlone(concurrency);
    const engineRate = (before.nodesPerSecond + after.nodesPerSecond) / 2;
    rows.push({ concurrency, server, engines: [before, after] });
    console.log(`\nSTORYLOOM_CONCURRENCY=${concurrency}`);
    console.log(`  server:       ${server.nodesPerSecond.toFixed(1)} node executions/s (${server.nodes} nodes in ${ms(server.wallMs)}, ${server.failed} runs not completed)`);
    console.log(`                submit→completion p50 ${ms(server.p50)}, p99 ${ms(server.p99)}`);
    console.log(`                event→SSE delivery p50 ${ms(server.lagP50)}, p99 ${ms(server.lagP99)} (${server.lagSamples} events, ${SSE_SAMPLE} runs followed)`);
    console.log(`                peak RSS ${server.peakRssMb.toFixed(0)} MB`);
    for (const [label, engine] of [['before', before], ['after', after]]) {
      console.log(`  engine alone (${label}): ${engine.nodesPerSecond.toFixed(1)} node executions/s (${engine.nodes} nodes in ${ms(engine.wallMs)}, ${engine.failed} runs not completed)`);
      console.log(`                submit→completion p50 ${ms(engine.p50)}, p99 ${ms(engine.p99)}; peak RSS ${engine.peakRssMb.toFixed(0)} MB`);
    }
    console.log(`  ratio server/engine throughput: ${(server.nodesPerSecond / engineRate).toFixed(2)}`);
  }
  console.log(`\nbench/server took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
  if (rows.some((row) => row.server.failed > 0 || row.engines.some((engine) => engine.failed > 0))) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
