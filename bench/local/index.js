// bench/local: generation speed of local models on tiny models written here (no model is downloaded), and
// Storyloom's wrapper (a LangChain chat model behind the model caller: retries, streaming callbacks, usage)
// against raw node-llama-cpp doing the same generation in the same process, alternating runs.
// Also: n = 4 samples on shared context sequences vs 4 one-at-a-time calls, and transformers.js when installed.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createModelCaller } = require('@storyloom/engine/node');
// Internals the benchmark measures directly (not part of the package's exports).
const engineDist = (file) => require(path.join(__dirname, '..', '..', 'packages', 'engine', 'dist', 'models', file));
const { writeTinyGguf } = require('../../test/support/tiny-gguf.js');
const { writeTinyTransformersModel } = require('../../test/support/tiny-onnx.js');

const TOKENS = 256;
const ROUNDS = 9;
const THREADS = 1; // the same on both sides; one thread is what a busy shared machine runs best
const PROMPT = { system: 'You write loglines.', prompt: 'A lighthouse keeper hears drowned sailors in the fog.' };

const fmt = (n, digits = 2) => n.toFixed(digits);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(run) {
  const start = process.hrtime.bigint();
  const tokens = await run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, tokens };
}

async function main() {
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-bench-local-'));
  try {
    // End-of-text is made unlikely so every generation writes exactly TOKENS tokens on both sides.
    const file = writeTinyGguf(path.join(dir, 'bench.gguf'), { endBias: -20, contextLength: 4096 });
    const env = { STORYLOOM_MODELS_DIR: dir, STORYLOOM_LOCAL_THREADS: String(THREADS), STORYLOOM_LOCAL_SEQUENCES: '4' };
    const spec = { provider: 'local', model: 'bench.gguf', temperature: 0.8, topK: 40, topP: 0.95, repeatPenalty: 1.1, maxTokens: TOKENS, contextSize: 4096 };

    const { getLlama, LlamaCompletion, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: file });
    const context = await model.createContext({ contextSize: 4096, sequences: 1, threads: THREADS });
    const sequence = context.getSequence();
    const rawPrompt = `${PROMPT.system}\n\n${PROMPT.prompt}\n\n`;
    const raw = async (seed) => {
      const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
      let tokens = 0;
      await completion.generateCompletion(rawPrompt, {
        temperature: 0.8, topK: 40, topP: 0.95, seed, maxTokens: TOKENS, repeatPenalty: { penalty: 1.1, lastTokens: 64 },
        onToken: (chunk) => (tokens += chunk.length), onTextChunk: () => undefined, disableContextShift: true,
      });
      completion.dispose({ disposeSequence: false });
      await sequence.clearHistory();
      return tokens;
    };
    const wrapped = async (seed) => {
      let tokens = 0;
      const caller = createModelCaller({ spec: { ...spec, seed }, env, hooks: { onToken: () => undefined, onUsage: (usage) => (tokens = usage.outputTokens) } });
      await caller.text({ ...PROMPT, offline: () => '' });
      return tokens;
    };

    await raw(0); // warm both paths (library load, first evaluation, the wrapper's own model load)
    await wrapped(0);
    const rawRates = [];
    const ourRates = [];
    const ratios = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const a = await timed(() => raw(round));
      const b = await timed(() => wrapped(round));
      rawRates.push((a.tokens / a.ms) * 1000);
      ourRates.push((b.tokens / b.ms) * 1000);
      ratios.push(rawRates.at(-1) / ourRates.at(-1));
    }
    const rawRate = median(rawRates);
    const ourRate = median(ourRates);
    // Each round's pair ran back to back, so the median of the pairs' ratios shrugs off load that comes and goes.
    const overhead = median(ratios);
    console.log(`tiny GGUF (${fmt(fs.statSync(file).size / 1024, 0)} KiB, llama architecture, 2 layers), ${TOKENS} tokens per call, ${THREADS} thread, medians of ${ROUNDS} alternating runs`);
    console.log(`  raw node-llama-cpp:  ${fmt(rawRate, 0)} tokens/s`);
    console.log(`  Storyloom local:     ${fmt(ourRate, 0)} tokens/s`);
    console.log(`  wrapper time / raw time: ${fmt(overhead)}x  (target <= 1.1x) ${overhead <= 1.1 ? 'OK' : 'OVER'}`);

    // n samples on parallel context sequences of one shared model vs the same samples one call at a time.
    const n = 4;
    const one = await timed(async () => {
      let total = 0;
      for (let i = 0; i < n; i++) total += await wrapped(100 + i);
      return total;
    });
    const { LocalChatModel } = engineDist('local-chat-model.js');
    const { samplingOf } = engineDist('in-process-sampling.js');
    const { HumanMessage } = require('@langchain/core/messages');
    const batched = await timed(async () => {
      const chat = new LocalChatModel({ modelPath: file, sampling: samplingOf({ ...spec, seed: 100 }), contextSize: 4096, env, n });
      const result = await chat.generate([[new HumanMessage(PROMPT.prompt)]]);
      return result.generations[0][0].message.usage_metadata.output_tokens;
    });
    console.log(`  ${n} samples in one call (shared model, ${n} sequences): ${fmt((batched.tokens / batched.ms) * 1000, 0)} tokens/s vs ${fmt((one.tokens / one.ms) * 1000, 0)} tokens/s one call at a time (speed ratio ${fmt(one.ms / batched.ms)}x)`);
    await context.dispose();
    await model.dispose();
    await engineDist('llama-runtime.js').releaseLlamaModels();

    let transformersInstalled = true;
    try {
      require.resolve('@huggingface/transformers');
    } catch {
      transformersInstalled = false;
    }
    if (!transformersInstalled) {
      console.log('transformers: not installed (optional), skipped');
      return;
    }
    writeTinyTransformersModel(path.join(dir, 'gpt2'), { endBias: -20 });
    const tf = createModelCaller({ spec: { provider: 'transformers', model: 'gpt2', maxTokens: 128, seed: 1 }, env, hooks: {} });
    await tf.text({ ...PROMPT, offline: () => '' });
    const rates = [];
    for (let round = 0; round < 3; round++) {
      let tokens = 0;
      const caller = createModelCaller({ spec: { provider: 'transformers', model: 'gpt2', maxTokens: 128, seed: round }, env, hooks: { onUsage: (u) => (tokens = u.outputTokens) } });
      const run = await timed(async () => {
        await caller.text({ ...PROMPT, offline: () => '' });
        return tokens;
      });
      rates.push((run.tokens / run.ms) * 1000);
    }
    console.log(`tiny GPT-2-shaped ONNX (transformers.js, no KV cache in this graph), 128 tokens per call: ${fmt(median(rates), 0)} tokens/s`);

    // JSON held to the grammar: each picked token is first checked by Storyloom's grammar matcher.
    const { z } = require('zod');
    const schema = z.object({ title: z.string(), beats: z.array(z.object({ name: z.string(), minutes: z.number() })).min(2) });
    const jsonRates = [];
    for (let round = 0; round < 3; round++) {
      let tokens = 0;
      const caller = createModelCaller({ spec: { provider: 'transformers', model: 'gpt2', maxTokens: 256, seed: round }, env, hooks: { onUsage: (u) => (tokens = u.outputTokens) } });
      const run = await timed(async () => {
        await caller.json({ ...PROMPT, schema, offline: () => ({ title: '', beats: [] }) });
        return tokens;
      });
      jsonRates.push((run.tokens / run.ms) * 1000);
    }
    console.log(`  JSON held to the grammar (the matcher checks each picked token), up to 256 tokens: ${fmt(median(jsonRates), 0)} tokens/s`);
    await engineDist('transformers-runtime.js').releaseTransformersModels();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
