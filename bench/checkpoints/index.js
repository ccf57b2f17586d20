// bench/checkpoints: what durability costs. (1) Per-node cost of LangGraph's SqliteSaver (durability "sync",
// WAL) against the in-memory MemorySaver, on the same 50-node chain. (2) Database bytes per screenplay run
// against the bytes of the outputs it stored (target <= 3x): the state holds references, not text.
const fs = require('node:fs');
const path = require('node:path');
const { Database, promptPipeline, chainShape, runStoryloom, runPlain, compare, fmt, tempDb, PREMISE } = require('../engine/support');

async function checkpointCost() {
  const pipeline = promptPipeline(chainShape(50), { provider: 'offline', latencyMs: 0 });
  const nodes = pipeline.nodes.length;
  const { a: sqlite, b: memory } = await compare(
    7,
    async () => (await runPlain(pipeline, 'sqlite')).ms,
    async () => (await runPlain(pipeline, 'memory')).ms,
  );
  console.log('50-node chain of prompt nodes, plain LangGraph graph, offline model, durability "sync", medians of 7 alternating runs:');
  for (const key of ['wall', 'cpu']) {
    console.log(
      `  ${key.padEnd(4)} SqliteSaver ${fmt(sqlite[key] / nodes)} ms/node, MemorySaver ${fmt(memory[key] / nodes)} ms/node: ` +
        `durable checkpoints cost ${fmt((sqlite[key] - memory[key]) / nodes)} ms/node, ratio ${fmt(sqlite[key] / memory[key])}x`,
    );
  }
}

/** The shipped screenplay pipeline (setting and scene list included): what a real run stores. */
function screenplayPipeline() {
  const file = path.join(__dirname, '../../pipelines/short-screenplay.json');
  return { pipeline: JSON.parse(fs.readFileSync(file, 'utf8')), source: path.basename(file) };
}

function fileBytes(dbPath) {
  const db = new Database(dbPath);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return fs.statSync(dbPath).size;
}

async function databaseBytes() {
  const { pipeline, source } = screenplayPipeline();
  const dbPath = tempDb('screenplay.db');
  // An empty database (schema only) is the baseline: what one run adds is what counts.
  const { engine } = require('../engine/support');
  await (await engine.openStoryloom({ dbPath, env: {} })).close();
  const empty = fileBytes(dbPath);
  const runs = 8;
  let outputs = 0;
  for (let i = 0; i < runs; i += 1) {
    const { storyloom, run } = await runStoryloom(pipeline, { premise: `${PREMISE} (${i})` }, dbPath);
    await storyloom.close();
    const db = new Database(dbPath, { readonly: true });
    outputs += db.prepare('SELECT SUM(LENGTH(output)) AS n FROM node_outputs WHERE run_id = ?').get(run.id).n;
    db.close();
  }
  const total = fileBytes(dbPath) - empty;
  const db = new Database(dbPath, { readonly: true });
  const part = (sql) => db.prepare(sql).get().n ?? 0;
  const parts = {
    outputs: outputs,
    events: part('SELECT SUM(LENGTH(data)) AS n FROM run_events'),
    checkpoints: part('SELECT SUM(LENGTH(checkpoint) + LENGTH(metadata)) AS n FROM checkpoints'),
    writes: part('SELECT SUM(LENGTH(value)) AS n FROM writes'),
  };
  db.close();
  const ratio = total / outputs;
  console.log(`screenplay (${source}), ${runs} runs: outputs ${fmt(outputs / runs / 1024, 1)} KiB/run, database ${fmt(total / runs / 1024, 1)} KiB/run`);
  console.log(`  payload per run: outputs ${fmt(outputs / runs / 1024, 1)} KiB, events ${fmt(parts.events / runs / 1024, 1)} KiB (streamed tokens, ~256-char chunks)`);
  console.log(`  LangGraph checkpoints left by completed runs: ${fmt((parts.checkpoints + parts.writes) / 1024, 1)} KiB (dropped on completion)`);
  console.log(`  while a run is live (waiting at its last node): checkpoints ${fmt((await liveCheckpointBytes(pipeline)) / 1024, 1)} KiB`);
  console.log(`  database bytes / output bytes = ${fmt(ratio)}x  (target <= 3x) ${ratio <= 3 ? 'OK' : 'OVER'}`);
}

/** Checkpoint bytes of a run paused (approval) on its last node: every step of the run checkpointed. */
async function liveCheckpointBytes(document) {
  const pipeline = structuredClone(document);
  const sinks = pipeline.nodes.filter((node) => !pipeline.edges.some((edge) => edge.source === node.id));
  for (const node of sinks) node.approval = true;
  const { engine } = require('../engine/support');
  const dbPath = tempDb('live.db');
  const storyloom = await engine.openStoryloom({ dbPath, env: {} });
  const run = await storyloom.startRun({ pipeline, inputs: { premise: PREMISE } });
  const view = await storyloom.drive(run.id);
  await storyloom.close();
  if (view.status !== 'waiting') throw new Error(`expected a waiting run, got ${view.status}`);
  const db = new Database(dbPath, { readonly: true });
  const bytes = db.prepare('SELECT SUM(LENGTH(checkpoint) + LENGTH(metadata)) AS n FROM checkpoints').get().n + (db.prepare('SELECT SUM(LENGTH(value)) AS n FROM writes').get().n ?? 0);
  db.close();
  return bytes;
}

async function main() {
  await checkpointCost();
  await databaseBytes();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
