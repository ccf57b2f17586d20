// bench/engine: Storyloom's overhead per node against a hand-written plain LangGraph graph of the same shape
// (same node types, same offline model with zero latency, same SqliteSaver checkpointer with durability
// "sync"), and how parallel a 16-way fan-out on a 200 ms model really is.
const { promptPipeline, chainShape, fanOutShape, runStoryloom, runPlain, median, fmt } = require('./support');

async function overhead(label, shape, repeat) {
  const pipeline = promptPipeline(shape, { provider: 'offline', latencyMs: 0 });
  const nodes = pipeline.nodes.length;
  const storyloom = await median(repeat, async () => {
    const { ms, storyloom: s } = await runStoryloom(pipeline);
    s.close();
    return ms;
  });
  const plain = await median(repeat, async () => (await runPlain(pipeline, 'sqlite')).ms);
  const ratio = storyloom / plain;
  console.log(
    `${label.padEnd(22)} ${String(nodes).padStart(3)} nodes  storyloom ${fmt(storyloom / nodes)} ms/node  plain LangGraph ${fmt(plain / nodes)} ms/node  ratio ${fmt(ratio)}x  (target <= 1.5x) ${ratio <= 1.5 ? 'OK' : 'OVER'}`,
  );
}

async function parallelism() {
  const latency = 200;
  const pipeline = promptPipeline(fanOutShape(16, { root: false, join: false }), { provider: 'offline', latencyMs: latency });
  const wall = await median(3, async () => {
    const { ms, storyloom } = await runStoryloom(pipeline);
    storyloom.close();
    return ms;
  });
  const ratio = wall / latency;
  console.log(`16-way fan-out, ${latency} ms model: wall ${fmt(wall, 0)} ms = ${fmt(ratio)}x one call  (target <= 1.3) ${ratio <= 1.3 ? 'OK' : 'OVER'}`);
}

async function main() {
  console.log('Engine overhead (zero-latency offline model, SqliteSaver durability "sync" on both sides, median of 5):');
  await overhead('50-node chain', chainShape(50), 5);
  await overhead('32-way fan-out + join', fanOutShape(32), 5);
  await parallelism();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
