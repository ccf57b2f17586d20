// Baseline: the same runs driven through `openStoryloom` in one process, no HTTP, with the same number of
// runs at a time as the server. Prints one JSON line with its figures.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openStoryloom } = require('@storyloom/engine/node');
const { RUNS, screenplayPipeline, premiseOf, percentile, peakRssMb, completedNodeCount } = require('./shared');

async function main() {
  const concurrency = Number(process.argv[2] ?? 4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-bench-engine-'));
  const storyloom = await openStoryloom({ dbPath: path.join(dir, 'bench.db') });
  const pipeline = screenplayPipeline();
  const started = Date.now();
  const submittedAt = new Map();
  const queue = [];
  for (let index = 0; index < RUNS; index += 1) {
    submittedAt.set(queue.length, Date.now());
    queue.push((await storyloom.startRun({ pipeline, inputs: { premise: premiseOf(index) } })).id);
  }
  const durations = [];
  let nodes = 0;
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const index = next++;
      const run = await storyloom.drive(queue[index]);
      durations.push(Date.now() - submittedAt.get(index));
      nodes += completedNodeCount(run);
      if (run.status !== 'completed') failed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = Date.now() - started;
  await storyloom.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({ wallMs, nodes, failed, nodesPerSecond: nodes / (wallMs / 1000), p50: percentile(durations, 50), p99: percentile(durations, 99), peakRssMb: peakRssMb() }) + '\n',
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
