// Shared by bench/engine and bench/checkpoints: temp databases, pipeline shapes built from `prompt` nodes,
// the same shapes as hand-written plain LangGraph graphs, timing helpers. Needs `npm run build` first.
const fs = require('node:fs');
// Wide fan-outs link one AbortSignal per task (LangGraph does, in both the engine and the plain baseline).
require('node:events').setMaxListeners(200);
const os = require('node:os');
const path = require('node:path');

const dist = path.join(__dirname, '../../packages/engine/dist');
if (!fs.existsSync(path.join(dist, 'node.js'))) {
  console.error('packages/engine/dist is missing: run `npm run build` (or `npx tsc -b packages/engine`) first');
  process.exit(2);
}
const engine = require(path.join(dist, 'node.js'));
const { getNodeType } = require(path.join(dist, 'nodes/catalogue.js'));
const { resolveNodeConfig } = require(path.join(dist, 'pipeline/config.js'));
const { StateGraph, Annotation, START, MemorySaver } = require('@langchain/langgraph');
const { SqliteSaver } = require('@langchain/langgraph-checkpoint-sqlite');
const Database = require('better-sqlite3');

const tempDirs = [];
function tempDb(name = 'bench.db') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-bench-'));
  tempDirs.push(dir);
  return path.join(dir, name);
}
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const slotOf = (id) => `${id.replace(/-/g, '_')}_out`;

/** A pipeline of prompt nodes; `parents` maps id → parent ids (in insertion order). */
function promptPipeline(parents, model) {
  const ids = [...parents.keys()];
  return {
    format: 'storyloom/pipeline@1',
    id: 'bench',
    name: 'Bench',
    inputs: { premise: { type: 'string', required: true } },
    model,
    nodes: ids.map((id) => ({
      id,
      type: 'prompt',
      writes: slotOf(id),
      config: { template: `Task ${id}: {{inputs.premise}} ${parents.get(id).map((p) => `{{${slotOf(p)}}}`).join(' ')}`.trim() },
    })),
    edges: ids.flatMap((id) => parents.get(id).map((source) => ({ source, target: id }))),
  };
}

function chainShape(length) {
  const parents = new Map();
  for (let i = 0; i < length; i += 1) parents.set(`c${i}`, i === 0 ? [] : [`c${i - 1}`]);
  return parents;
}

/** root → width leaves → join. */
function fanOutShape(width, { root = true, join = true } = {}) {
  const parents = new Map();
  if (root) parents.set('root', []);
  const leaves = Array.from({ length: width }, (_, i) => `leaf${i}`);
  for (const leaf of leaves) parents.set(leaf, root ? ['root'] : []);
  if (join) parents.set('join', leaves);
  return parents;
}

const PREMISE = 'A cartographer maps a city that rearranges itself every night.';

/** Runs a pipeline through Storyloom on a fresh database (models configured by `env`); returns wall ms and the run. */
async function runStoryloom(pipeline, inputs = { premise: PREMISE }, dbPath = tempDb(), env = {}) {
  const storyloom = await engine.openStoryloom({ dbPath, env });
  const started = performance.now();
  const run = await storyloom.startRun({ pipeline, inputs, autoApprove: true });
  const done = await storyloom.drive(run.id);
  const ms = performance.now() - started;
  if (done.status !== 'completed') throw new Error(`bench run ${done.status}: ${done.error}`);
  return { ms, storyloom, run: done, dbPath };
}

/**
 * The same pipeline as a plain, hand-written LangGraph graph: one node per pipeline node calling the same
 * node type with the same model caller, outputs kept in the state (the usual LangGraph way), joins as
 * `addEdge([...], join)`.
 */
function plainGraph(pipeline, checkpointer) {
  const merge = (a, b) => ({ ...a, ...b });
  const State = Annotation.Root({ memory: Annotation({ reducer: merge, default: () => ({}) }) });
  const builder = new StateGraph(State);
  const parents = new Map(pipeline.nodes.map((node) => [node.id, []]));
  for (const edge of pipeline.edges) parents.get(edge.target).push(edge.source);
  const inputs = { premise: PREMISE };
  const spec = engine.resolveModelSpec([pipeline.model], {});
  for (const node of pipeline.nodes) {
    const type = getNodeType(node.type);
    const config = resolveNodeConfig(node, inputs);
    builder.addNode(`n_${node.id}`, async (state) => {
      const model = engine.createModelCaller({ spec, env: {}, hooks: { onToken() {} } });
      const output = await type.run({ nodeId: node.id, node, config, inputs, memory: state.memory, feedback: [], model, signal: new AbortController().signal });
      return { memory: { [node.writes]: output } };
    });
  }
  for (const node of pipeline.nodes) {
    const from = parents.get(node.id);
    if (from.length === 0) builder.addEdge(START, `n_${node.id}`);
    else if (from.length === 1) builder.addEdge(`n_${from[0]}`, `n_${node.id}`);
    else builder.addEdge(from.map((id) => `n_${id}`), `n_${node.id}`);
  }
  return builder.compile({ checkpointer });
}

async function runPlain(pipeline, checkpointerKind) {
  let db;
  let checkpointer;
  if (checkpointerKind === 'sqlite') {
    db = new Database(tempDb('plain.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    checkpointer = new SqliteSaver(db);
  } else {
    checkpointer = new MemorySaver();
  }
  const graph = plainGraph(pipeline, checkpointer);
  const started = performance.now();
  await graph.invoke({}, { configurable: { thread_id: 't' }, durability: 'sync', recursionLimit: 10_000 });
  const ms = performance.now() - started;
  db?.close();
  return { ms };
}

/** Median of `repeat` measurements after one warm-up. */
async function median(repeat, measure) {
  await measure();
  const values = [];
  for (let i = 0; i < repeat; i += 1) values.push(await measure());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

/**
 * Wall and CPU milliseconds of `run` (which resolves to its own wall ms). CPU time is reported too because
 * these machines are shared: under load, wall time also measures the neighbours.
 */
async function timed(run) {
  const before = process.cpuUsage();
  const wall = await run();
  const cpu = process.cpuUsage(before);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Alternates A and B `repeat` times after a warm-up of each; medians of wall and CPU ms. */
async function compare(repeat, runA, runB) {
  await runA();
  await runB();
  const a = [];
  const b = [];
  for (let i = 0; i < repeat; i += 1) {
    a.push(await timed(runA));
    b.push(await timed(runB));
  }
  const mid = (values, key) => values.map((value) => value[key]).sort((x, y) => x - y)[Math.floor(values.length / 2)];
  return { a: { wall: mid(a, 'wall'), cpu: mid(a, 'cpu') }, b: { wall: mid(b, 'wall'), cpu: mid(b, 'cpu') } };
}

const fmt = (n, digits = 2) => n.toFixed(digits);

module.exports = { engine, Database, tempDb, promptPipeline, chainShape, fanOutShape, runStoryloom, runPlain, median, timed, compare, fmt, PREMISE };
