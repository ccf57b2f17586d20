// bench/engine: Storyloom's overhead per node against a hand-written plain LangGraph graph of the same shape
// (same node types, same offline model with zero latency, same SqliteSaver checkpointer with durability
// "sync"), and how parallel a 16-way fan-out on a 200 ms model really is.
const os = require('node:os');
const { promptPipeline, chainShape, fanOutShape, runStoryloom, runPlain, compare, fmt } = require('./support');

const storyloomRun = (pipeline) => async () => {
  const { ms, storyloom } = await runStoryloom(pipeline);
  await storyloom.close();
  return ms;
};
const plainRun = (pipeline) => async () => (await runPlain(pipeline, 'sqlite')).ms;
const verdict = (ratio, target) => (ratio <= target ? 'OK' : 'OVER');

async function overhead(label, shape, repeat) {
  const pipeline = promptPipeline(shape, { provider: 'offline', latencyMs: 0 });
  const nodes = pipeline.nodes.length;
  const { a: ours, b: plain } = await compare(repeat, storyloomRun(pipeline), plainRun(pipeline));
  const wallRatio = ours.wall / plain.wall;
  const cpuRatio = ours.cpu / plain.cpu;
  console.log(`${label} (${nodes} nodes)`);
  console.log(`  wall: storyloom ${fmt(ours.wall / nodes)} ms/node, plain LangGraph ${fmt(plain.wall / nodes)} ms/node -> ${fmt(wallRatio)}x  (target <= 1.5x) ${verdict(wallRatio, 1.5)}`);
  console.log(`  cpu:  storyloom ${fmt(ours.cpu / nodes)} ms/node, plain LangGraph ${fmt(plain.cpu / nodes)} ms/node -> ${fmt(cpuRatio)}x  (target <= 1.5x) ${verdict(cpuRatio, 1.5)}`);
}

async function parallelism() {
  const latency = 200;
  const pipeline = promptPipeline(fanOutShape(16, { root: false, join: false }), { provider: 'offline', latencyMs: latency });
  const { a: ours, b: plain } = await compare(3, storyloomRun(pipeline), plainRun(pipeline));
  const ratio = ours.wall / latency;
  console.log(`16-way fan-out on a ${latency} ms model`);
  console.log(`  storyloom wall ${fmt(ours.wall, 0)} ms = ${fmt(ratio)}x one call  (target <= 1.3) ${verdict(ratio, 1.3)}`);
  console.log(`  plain LangGraph, same shape and model: ${fmt(plain.wall, 0)} ms = ${fmt(plain.wall / latency)}x one call (what this machine allows)`);
}

async function main() {
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  console.log('Engine overhead: zero-latency offline model, SqliteSaver (WAL, durability "sync") on both sides, medians of 5 alternating runs.');
  await overhead('50-node chain', chainShape(50), 5);
  await overhead('32-way fan-out + join', fanOutShape(32), 5);
  await parallelism();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
