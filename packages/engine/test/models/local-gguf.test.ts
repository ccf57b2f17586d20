// `local:<file.gguf>` on tiny GGUF models the test writes (llama architecture, random weights, byte vocabulary):
// real node-llama-cpp loading, sampling, grammar-constrained JSON, n samples, context overflow, cancel, sharing,
// and the checks that refuse a missing or corrupt file by name. A whole shipped pipeline runs on it too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isStoryloomError } from '../../src/errors';
import { createModelCaller } from '../../src/models/caller';
import { checkGgufHeader } from '../../src/models/gguf-header';
import { loadLlamaModel, releaseLlamaModels } from '../../src/models/llama-runtime';
import { LocalChatModel } from '../../src/models/local-chat-model';
import { checkModelFile, listModelFiles } from '../../src/models/model-files';
import { checkRunModels } from '../../src/models/run-models';
import { samplingOf } from '../../src/models/in-process-sampling';
import { availableModels, type ModelEnv } from '../../src/models/spec';
import { describeNodeTypes } from '../../src/nodes/catalogue';
import type { ModelSpecObject } from '../../src/pipeline/schema';
import { HumanMessage } from '@langchain/core/messages';
import Ajv2020 from 'ajv/dist/2020';
import { expectShippedPipelineCompletes, expectThreeDistinctCandidates } from './in-process-runs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeTinyGguf, CHATML_TEMPLATE } = require('../../../../test/support/tiny-gguf.js');

const folder = mkdtempSync(join(tmpdir(), 'storyloom-gguf-'));
// One thread per generation: llama.cpp's spinning threads crawl on a busy shared machine.
const env: ModelEnv = { STORYLOOM_MODELS_DIR: folder, STORYLOOM_LOCAL_THREADS: '1' };
const repo = join(__dirname, '..', '..', '..', '..');

beforeAll(() => {
  writeTinyGguf(join(folder, 'tiny.gguf'));
  writeTinyGguf(join(folder, 'chat.gguf'), { chatTemplate: CHATML_TEMPLATE, seed: 99 });
  writeTinyGguf(join(folder, 'endless.gguf'), { endBias: -20, contextLength: 8192 });
  writeTinyGguf(join(folder, 'rambling.gguf'), { closeBias: -6 });
  // One token per byte makes the screenplay's later prompts (the story so far) several thousand tokens long.
  writeTinyGguf(join(folder, 'long.gguf'), { contextLength: 32768, seed: 5 });
});

afterAll(async () => {
  await releaseLlamaModels();
  rmSync(folder, { recursive: true, force: true });
});

function textCaller(spec: Omit<ModelSpecObject, 'provider'>, hooks = {}) {
  return createModelCaller({ spec: { provider: 'local', model: 'tiny.gguf', ...spec }, env, hooks, maxRetries: 0 });
}

/** Stands for a restart in a list of streamed texts (no model writes a NUL). */
const RESTART = '\u0000restart\u0000';

const prompt = { system: 'You write loglines.', prompt: 'A lighthouse keeper hears drowned sailors in the fog.', offline: () => 'unused' };

describe('local GGUF models', () => {
  test('temperature 0 gives identical text twice; the answer streams and reports usage in real tokens', async () => {
    const tokens: string[] = [];
    const usage: Array<{ inputTokens: number; outputTokens: number }> = [];
    const first = await textCaller({ temperature: 0, maxTokens: 40 }, { onToken: (text: string) => tokens.push(text), onUsage: (u: never) => usage.push(u) }).text(prompt);
    const second = await textCaller({ temperature: 0, maxTokens: 40 }).text(prompt);
    expect(first.length).toBeGreaterThan(0);
    expect(second).toBe(first);
    expect(tokens.join('')).toBe(first);
    // Byte vocabulary: one token per byte of the prompt (plus BOS and the blank lines).
    const promptBytes = Buffer.byteLength(`${prompt.system}\n\n${prompt.prompt}\n\n`);
    expect(usage[0]!.inputTokens).toBeGreaterThanOrEqual(promptBytes);
    expect(usage[0]!.outputTokens).toBeGreaterThan(0);
  });

  test('the same seed repeats; two seeds give different text', async () => {
    const seeded = (seed: number) => textCaller({ temperature: 1, seed, maxTokens: 60 }).text(prompt);
    const [a, again, b] = [await seeded(1), await seeded(1), await seeded(2)];
    expect(again).toBe(a);
    expect(b).not.toBe(a);
  });

  test('n samples (candidates) are distinct drafts, one per context sequence, repeatable with a seed', async () => {
    const model = new LocalChatModel({ modelPath: join(folder, 'tiny.gguf'), sampling: samplingOf({ provider: 'local', seed: 7, maxTokens: 60 }), env, n: 3 });
    const result = await model.generate([[new HumanMessage('Three loglines, please.')]]);
    const drafts = result.generations[0]!.map((generation) => generation.text);
    expect(drafts).toHaveLength(3);
    expect(new Set(drafts).size).toBe(3);
    // Usage covers the three samples: the prompt evaluated on three sequences, every sampled token.
    expect(result.llmOutput?.tokenUsage.completionTokens).toBeGreaterThanOrEqual(3);
    const promptTokens = result.llmOutput?.tokenUsage.promptTokens as number;
    expect(promptTokens).toBeGreaterThan(3 * Buffer.byteLength('Three loglines, please.'));
    expect(promptTokens % 3).toBe(0);
    const again = await model.generate([[new HumanMessage('Three loglines, please.')]]);
    expect(again.generations[0]!.map((generation) => generation.text)).toEqual(drafts);
  });

  test('JSON answers follow a grammar built from the schema, so even random weights give parseable, valid JSON', async () => {
    const schema = z.object({
      title: z.string(),
      mood: z.enum(['eerie', 'warm', 'bleak']),
      beats: z.array(z.object({ name: z.string(), summary: z.string(), minutes: z.number() })).min(2),
    });
    for (const seed of [1, 2, 3]) {
      const value = await textCaller({ seed }).json({ label: 'beats', prompt: 'The beats as JSON.', schema, offline: () => ({ title: '', mood: 'warm' as const, beats: [] }) });
      expect(schema.safeParse(value).success).toBe(true);
      expect(value.beats.length).toBeGreaterThanOrEqual(2);
    }
  });

  test('JSON that runs out of tokens under the open grammar is written again under one fitted to the budget', async () => {
    const schema = z.object({ title: z.string().min(1), lines: z.array(z.string().min(1)).min(2) });
    const usage: number[] = [];
    // What streamed, with a mark where the model said it starts its answer over.
    const streamed: string[] = [];
    const caller = createModelCaller({
      spec: { provider: 'local', model: 'rambling.gguf', seed: 3, maxTokens: 80 },
      env,
      maxRetries: 0,
      hooks: { onUsage: (u) => usage.push(u.outputTokens), onToken: (text) => streamed.push(text), onRestart: () => streamed.push(RESTART) },
    });
    const value = await caller.json({ prompt: 'A title and lines as JSON.', schema, offline: () => ({ title: '', lines: [] }) });
    expect(schema.safeParse(value).success).toBe(true);
    // The first writing streamed, then the restart, then the second writing: that alone is the answer.
    expect(streamed.filter((text) => text === RESTART)).toHaveLength(1);
    const [first, second] = streamed.join('').split(RESTART);
    expect(first.length).toBeGreaterThan(0);
    expect(() => JSON.parse(first)).toThrow();
    expect(JSON.parse(second)).toEqual(value);
    // The first answer used all 80 tokens without closing its JSON; the second fitted within its 80.
    expect(usage).toHaveLength(1);
    expect(usage[0]).toBeGreaterThan(80);
    expect(usage[0]).toBeLessThanOrEqual(160);
  });

  test('a schema with a list at its root is held to the grammar too', async () => {
    const schema = z.array(z.object({ name: z.string().min(1), age: z.number().int().min(18).max(90) })).min(2).max(4);
    const value = await textCaller({ seed: 4 }).json({ prompt: 'The cast as a JSON list.', schema, offline: () => [] });
    expect(schema.safeParse(value).success).toBe(true);
  });

  test('every node type of the catalogue gets a grammar llama.cpp accepts (open and fitted), and a JSON answer that fits its schema', async () => {
    const loaded = await loadLlamaModel({ path: join(folder, 'tiny.gguf'), env });
    const types = describeNodeTypes().filter((type) => type.usesModel !== false);
    expect(types.length).toBeGreaterThan(5);
    const chat = new LocalChatModel({ modelPath: join(folder, 'long.gguf'), sampling: samplingOf({ provider: 'local', seed: 21 }), contextSize: 8192, env });
    const ajv = new Ajv2020({ strict: false });
    for (const type of types) {
      const schema = type.outputSchema as Record<string, unknown>;
      await expect(loaded.grammarFor(schema)).resolves.toBeDefined();
      await expect(loaded.grammarFor(schema, 2000)).resolves.toBeDefined(); // fitted to a budget
      const { parsed } = await chat.withStructuredOutput(schema, { includeRaw: true }).invoke([new HumanMessage(`The ${type.type} as JSON.`)]);
      const valid = ajv.validate(schema, parsed);
      expect([type.type, valid, ajv.errorsText()]).toEqual([type.type, true, 'No errors']);
    }
  });

  test("a GGUF with a chat template is prompted through it; one without is completed as plain text", async () => {
    const chat = await loadLlamaModel({ path: join(folder, 'chat.gguf'), env });
    const plain = await loadLlamaModel({ path: join(folder, 'tiny.gguf'), env });
    expect(chat.chatWrapper).toBeDefined();
    expect(plain.chatWrapper).toBeUndefined();
    const usage: number[] = [];
    const caller = createModelCaller({ spec: { provider: 'local', model: 'chat.gguf', temperature: 0, maxTokens: 20 }, env, hooks: { onUsage: (u) => usage.push(u.inputTokens) } });
    await caller.text(prompt);
    // The ChatML markers (<|im_start|>system … <|im_start|>assistant) are part of the prompt the model saw.
    const templated = Buffer.byteLength(`<|im_start|>system\n${prompt.system}<|im_end|>\n<|im_start|>user\n${prompt.prompt}<|im_end|>\n<|im_start|>assistant\n`);
    expect(usage[0]).toBeGreaterThanOrEqual(templated);
  });

  test('a prompt longer than the context is refused with the numbers, not cut silently', async () => {
    const long = { ...prompt, prompt: 'fog '.repeat(200) };
    const error = await textCaller({ contextSize: 256 }).text(long).catch((e: unknown) => e);
    expect(isStoryloomError(error, 'model_error')).toBe(true);
    expect((error as Error).message).toMatch(/the prompt is \d+ tokens but local model .*tiny\.gguf has a context of 256 tokens/);
    expect((error as Error).message).toMatch(/raise contextSize/);
  });

  test('cancel stops a generation at once and frees its sequence for the next call', async () => {
    const oneSequence: ModelEnv = { ...env, STORYLOOM_LOCAL_SEQUENCES: '1' };
    const controller = new AbortController();
    let streamed = 0;
    const caller = createModelCaller({
      spec: { provider: 'local', model: 'endless.gguf', contextSize: 8192 },
      env: oneSequence,
      signal: controller.signal,
      maxRetries: 0,
      hooks: {
        onToken: () => {
          streamed++;
          if (streamed === 20) controller.abort();
        },
      },
    });
    const started = Date.now();
    const error = await caller.text(prompt).catch((e: unknown) => e);
    expect(isStoryloomError(error, 'cancelled')).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000);
    const atCancel = streamed;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(streamed - atCancel).toBeLessThanOrEqual(2); // nothing keeps generating in the background
    // With one sequence, the next call can only run if the cancelled one let go of it.
    const next = await createModelCaller({ spec: { provider: 'local', model: 'endless.gguf', contextSize: 8192, maxTokens: 5 }, env: oneSequence }).text(prompt);
    expect(next.length).toBeGreaterThan(0);
  });

  test('concurrent calls share one loaded model', async () => {
    const [a, b] = await Promise.all([loadLlamaModel({ path: join(folder, 'tiny.gguf'), env }), loadLlamaModel({ path: join(folder, 'tiny.gguf'), env })]);
    expect(a).toBe(b);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((seed) => textCaller({ seed, maxTokens: 20 }).text(prompt)));
    expect(answers.every((answer) => typeof answer === 'string')).toBe(true);
    expect(await loadLlamaModel({ path: join(folder, 'tiny.gguf'), env })).toBe(a);
  });

  test('the models folder is listed for /api/models and the editor', () => {
    const listing = listModelFiles(env);
    expect(listing.local).toEqual(['chat.gguf', 'endless.gguf', 'long.gguf', 'rambling.gguf', 'tiny.gguf']);
    const local = availableModels(env).find((entry) => entry.provider === 'local')!;
    expect(local.available).toBe(true);
    expect(local.models).toEqual(['chat.gguf', 'endless.gguf', 'long.gguf', 'rambling.gguf', 'tiny.gguf']);
    expect(local.note).toContain(folder);
  });
});

describe('bad local model files are refused by name before a run starts', () => {
  const pipeline = JSON.parse(readFileSync(join(repo, 'pipelines', 'short-story.json'), 'utf8'));

  test('a missing file', () => {
    expect(() => checkRunModels(pipeline, 'local:missing.gguf', env, { runModelLabel: '--model' })).toThrow(
      /--model: model file 'missing\.gguf' \(.*missing\.gguf; STORYLOOM_MODELS_DIR=.*\): no such file/,
    );
  });

  test('a file that is not GGUF, and a truncated GGUF', () => {
    writeFileSync(join(folder, 'notes.gguf'), 'these are not weights');
    expect(checkGgufHeader(join(folder, 'notes.gguf'))).toMatch(/not a GGUF model file/);
    expect(() => checkModelFile('local', 'notes.gguf', env)).toThrow(/notes\.gguf.*is not a GGUF model file/);
    const whole = readFileSync(join(folder, 'tiny.gguf'));
    writeFileSync(join(folder, 'cut.gguf'), whole.subarray(0, whole.length - 1000));
    expect(() => checkRunModels(pipeline, { provider: 'local', model: 'cut.gguf' }, env)).toThrow(/cut\.gguf.*is truncated: its tensors need \d+ bytes but the file has \d+/);
    writeFileSync(join(folder, 'header-cut.gguf'), whole.subarray(0, 200));
    expect(checkGgufHeader(join(folder, 'header-cut.gguf'))).toMatch(/truncated inside its header/);
    expect(checkGgufHeader(join(folder, 'tiny.gguf'))).toBeUndefined();
  });

  test('a shorthand without a file, and a file outside the models folder on a shared server', () => {
    expect(() => checkRunModels(pipeline, 'local', env)).toThrow(/names no model: use "local:<file\.gguf>"/);
    const outside = join(tmpdir(), 'outside.gguf');
    expect(() => checkRunModels(pipeline, `local:${outside}`, env, { baseUrls: { allowed: new Set() } })).toThrow(/outside the models folder/);
  });

  test('a model call on a missing file fails with the file named, without retries', async () => {
    const error = await createModelCaller({ spec: { provider: 'local', model: 'gone.gguf' }, env }).text(prompt).catch((e: unknown) => e);
    expect(isStoryloomError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toMatch(/gone\.gguf.*no such file/);
  });
});

describe('a whole shipped pipeline on the tiny GGUF', () => {
  test('candidates: 3 on a node gives three distinct drafts at its approval', async () => {
    await expectThreeDistinctCandidates(env, { provider: 'local', model: 'long.gguf', contextSize: 8192 });
  }, 120_000);

  test('the shipped short screenplay completes: every JSON node parses thanks to the grammar (fitted to the token budget when a random model rambles)', async () => {
    const model = { provider: 'local' as const, model: 'long.gguf', seed: 11, maxTokens: 300, contextSize: 16384 };
    await expectShippedPipelineCompletes('short-screenplay.json', env, model, { scenes: 2, cast: 2 });
  }, 300_000);
});
