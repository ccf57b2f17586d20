// bench/peers: Storyloom beside Rivet (@ironclad/rivet-node, its Chat node) and raw `fetch`, all calling the
// same OpenAI-compatible stub (its own process, so its CPU is not counted), alternating in this one process.
// Every system is warmed up alike before it is measured, as a server is after its first runs.
// The model layer alone (no graph, no database) is measured too, to tell its cost from orchestration's:
// Storyloom's own transport (`transport`: ChatOpenAI's request sent and read by the engine's openai-stream),
// LangChain's ChatOpenAI with its streaming generator read directly (`chatopenai`), and through `invoke`.
// Shapes: a 50-call chain at zero latency (CPU per node: the orchestration's own cost), and fan-outs at 200 ms
// per call (wall time in multiples of one call: how parallel each really is). Storyloom keeps its durability
// (SQLite outputs, events and checkpoints); the others keep nothing.
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { engine, tempDb, promptPipeline, chainShape, fanOutShape, timed, fmt, PREMISE } = require('../engine/support');
const { chainProject, fanOutProject, runRivet } = require('./rivet-graphs');
const { ChatOpenAI } = require('@langchain/openai');
const { streamDirect } = require('../../packages/engine/dist/models/direct-stream');
const { createOpenAIChatModel } = require('../../packages/engine/dist/models/providers');
const { HumanMessage } = require('@langchain/core/messages');
const { BaseCallbackHandler } = require('@langchain/core/callbacks/base');

const STUB_SCRIPT = path.join(__dirname, '../../test/support/openai-stub-server.js');
const MODEL = { provider: 'openai', model: 'stub-model' };

/** The stub in its own process; resolves to its URL and a way to set its latency. */
async function startStub() {
  const child = spawn(process.execPath, [STUB_SCRIPT, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { url, port } = await new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve(JSON.parse(buffer.split('\n')[0]));
    });
    child.once('exit', (code) => reject(new Error(`stub exited (${code})`)));
  });
  const control = (route, body) =>
    fetch(`http://127.0.0.1:${port}/_stub/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return {
    url,
    setLatency: async (latencyMs) => {
      await control('reset');
      await control('behavior', { latencyMs });
    },
    stop: () => child.kill(),
  };
}

/** Streams to a no-op consumer; preferring streaming keeps ChatOpenAI on its streaming path, as Storyloom's calls are. */
class DiscardTokens extends BaseCallbackHandler {
  name = 'discard-tokens';
  lc_prefer_streaming = true;
  handleLLMNewToken() {}
}

/**
 * LangChain's ChatOpenAI on its own (no graph, no database), built once, called the way Storyloom's model calls
 * go (`direct`: the engine's streamDirect over the model's own stream) or through LangChain's `invoke`.
 */
function chatOpenAICall(url, { direct }) {
  const model = new ChatOpenAI({ model: 'stub-model', apiKey: 'bench-key', configuration: { baseURL: url }, streaming: true, streamUsage: true, maxRetries: 0 });
  return async (prompt) => {
    if (direct) return (await streamDirect(model, [new HumanMessage(prompt)], { signal: new AbortController().signal }, () => undefined)).text;
    const reply = await model.invoke([new HumanMessage(prompt)], { callbacks: [new DiscardTokens()] });
    return String(reply.content);
  };
}

/** Storyloom's model call on its own: a ChatOpenAI built as the engine builds it, so its request goes out through the engine's transport. */
function transportCall(url) {
  const model = createOpenAIChatModel(MODEL, { OPENAI_BASE_URL: url, OPENAI_API_KEY: 'bench-key' });
  return async (prompt) => (await streamDirect(model, [new HumanMessage(prompt)], { signal: new AbortController().signal }, () => undefined)).text;
}

/** One streamed chat completion over plain fetch, read to its end: the floor any orchestrator builds on. */
async function rawCall(url, prompt) {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body: JSON.stringify({ model: 'stub-model', stream: true, messages: [{ role: 'user', content: prompt }] }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`stub ${response.status}: ${text}`);
  return text;
}

/**
 * Each system's way to run a shape; each resolves to its own wall ms. Storyloom runs on one database opened
 * for the whole comparison, as a server keeps it open: opening and closing a database is not per-node work.
 */
function systems(stub, shape, storyloom) {
  const pipeline = promptPipeline(shape.storyloom, MODEL);
  const transport = transportCall(stub.url);
  const chatOpenAI = chatOpenAICall(stub.url, { direct: true });
  const invokeChatOpenAI = chatOpenAICall(stub.url, { direct: false });
  const rawFetch = (prompt) => rawCall(stub.url, prompt);
  const wall = async (work) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  return {
    storyloom: () =>
      wall(async () => {
        const run = await storyloom.startRun({ pipeline, inputs: { premise: PREMISE }, autoApprove: true });
        const done = await storyloom.drive(run.id);
        if (done.status !== 'completed') throw new Error(`storyloom run ${done.status}: ${done.error}`);
      }),
    rivet: () => wall(() => runRivet(shape.rivet, stub.url, PREMISE)),
    transport: () => wall(() => shape.raw(transport)),
    chatopenai: () => wall(() => shape.raw(chatOpenAI)),
    invoke: () => wall(() => shape.raw(invokeChatOpenAI)),
    fetch: () => wall(() => shape.raw(rawFetch)),
  };
}

/**
 * How many model calls each system makes before it is measured. V8 optimizes a function only after it has run
 * many times, so a process's first runs of a shape measure its interpreter as much as its design; every system
 * gets the same warm-up, alternating, and a long-running server is in the measured state.
 */
const WARM_UP_CALLS = 320;

/** Measured runs per system and shape: the machines are noisy, and the median of nine moves less than of five. */
const REPEAT = 9;

const middle = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Runs every system, alternating, until each has made WARM_UP_CALLS model calls, then REPEAT more times;
 * medians of wall and CPU ms over the measured runs.
 */
async function alternate(callsPerRun, runs) {
  const names = Object.keys(runs);
  const warmUp = Math.ceil(WARM_UP_CALLS / callsPerRun);
  for (let i = 0; i < warmUp; i += 1) for (const name of names) await runs[name]();
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < REPEAT; i += 1) for (const name of names) samples[name].push(await timed(runs[name]));
  return Object.fromEntries(
    names.map((name) => [name, { wall: middle(samples[name].map((s) => s.wall)), cpu: middle(samples[name].map((s) => s.cpu)) }]),
  );
}

const CHAIN = 50;

const chainShapeOf = () => ({
  storyloom: chainShape(CHAIN),
  rivet: chainProject(CHAIN),
  raw: async (call) => {
    let previous = PREMISE;
    for (let i = 0; i < CHAIN; i += 1) previous = await call(`Task c${i}: ${previous.slice(0, 200)}`);
  },
});

const fanShapeOf = (width, join) => ({
  storyloom: fanOutShape(width, { root: false, join }),
  rivet: fanOutProject(width, { join }),
  raw: async (call) => {
    const answers = await Promise.all(Array.from({ length: width }, (_, i) => call(`Task leaf${i}: ${PREMISE}`)));
    if (join) await call(`Join: ${answers.map((answer) => answer.slice(0, 40)).join(' ')}`);
  },
});

const verdict = (value, target) => (value <= target ? 'OK' : 'OVER');

const CLI = path.join(__dirname, '../../packages/server/bin/storyloom.js');
const SCREENPLAY = path.join(__dirname, '../../pipelines/short-screenplay.json');

/** Wall ms of a short-lived node process, start to exit. */
function processMs(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

/** `storyloom validate` from start to exit (it must not load LangGraph or model clients), beside bare `node`. */
async function validateStartup() {
  const runs = 7;
  const bare = [];
  const validate = [];
  for (let i = 0; i < runs; i += 1) {
    bare.push(await processMs(['-e', '0']));
    validate.push(await processMs([CLI, 'validate', SCREENPLAY]));
  }
  const seconds = middle(validate) / 1000;
  console.log(`storyloom validate, start to exit (medians of ${runs}, alternating with bare node)`);
  console.log(`  bare node ${fmt(middle(bare) / 1000)} s, validate ${fmt(seconds)} s  (target <= 0.35 s) ${verdict(seconds, 0.35)}`);
}

async function chain(stub, storyloom) {
  await stub.setLatency(0);
  const result = await alternate(CHAIN, systems(stub, chainShapeOf(), storyloom));
  const perNode = (name, kind) => result[name][kind] / CHAIN;
  const ratio = perNode('storyloom', 'cpu') / perNode('rivet', 'cpu');
  console.log(`${CHAIN}-call chain, zero latency (per node; medians of ${REPEAT} alternating runs after ${WARM_UP_CALLS} calls each)`);
  for (const name of Object.keys(result)) {
    console.log(`  ${name.padEnd(10)} cpu ${fmt(perNode(name, 'cpu'))} ms/node, wall ${fmt(perNode(name, 'wall'))} ms/node`);
  }
  console.log(`  storyloom / rivet CPU per node: ${fmt(ratio)}x  (target <= 1.00) ${verdict(ratio, 1)}`);
  console.log(`  of storyloom's CPU per node, its model call alone (transport): ${fmt(perNode('transport', 'cpu'))} ms; the rest (graph, events, checkpoints): ${fmt(perNode('storyloom', 'cpu') - perNode('transport', 'cpu'))} ms`);
  console.log(`  the same call through ChatOpenAI's stream: ${fmt(perNode('chatopenai', 'cpu'))} ms; through LangChain's invoke: ${fmt(perNode('invoke', 'cpu'))} ms`);
}

async function fanOut(stub, storyloom, width, join, target) {
  const latency = 200;
  await stub.setLatency(latency);
  const result = await alternate(width + (join ? 1 : 0), systems(stub, fanShapeOf(width, join), storyloom));
  const label = `${width}-way fan-out${join ? ' + LLM join' : ''} at ${latency} ms per call (wall / one call; medians of ${REPEAT} after ${WARM_UP_CALLS} calls each; ideal ${join ? '2.00' : '1.00'})`;
  console.log(label);
  for (const name of Object.keys(result)) console.log(`  ${name.padEnd(10)} ${fmt(result[name].wall / latency)}x`);
  // The machine's load moves every column; the difference to the same calls alone moves less: it is what the graph,
  // the events and the durable writes add to the same model calls.
  console.log(`  storyloom - transport: ${fmt(result.storyloom.wall - result.transport.wall)} ms (orchestration and durability over the same calls)`);
  if (target === undefined) return;
  const ours = result.storyloom.wall / latency;
  console.log(`  storyloom ${fmt(ours)}x  (target <= ${fmt(target)}) ${verdict(ours, target)}`);
}

/** The shapes, by the names `node bench/peers/index.js <name>...` takes to run only some of them. */
const SHAPES = {
  chain: (stub, storyloom) => chain(stub, storyloom),
  fan16: (stub, storyloom) => fanOut(stub, storyloom, 16, false, 1.15),
  'fan16-join': (stub, storyloom) => fanOut(stub, storyloom, 16, true),
  'fan64-join': (stub, storyloom) => fanOut(stub, storyloom, 64, true, 2.4),
  validate: () => validateStartup(),
};

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in SHAPES));
  if (unknown.length > 0) throw new Error(`unknown shape(s) ${unknown.join(', ')}; known: ${Object.keys(SHAPES).join(', ')}`);
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  const stub = await startStub();
  const storyloom = await engine.openStoryloom({ dbPath: tempDb(), env: { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'bench-key' } });
  try {
    for (const name of wanted.length > 0 ? wanted : Object.keys(SHAPES)) await SHAPES[name](stub, storyloom);
  } finally {
    await storyloom.close();
    stub.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
