// `transformers:<folder>` on a tiny GPT-2-shaped ONNX model the test writes (hand-encoded protobuf, byte-level
// BPE tokenizer): real transformers.js loading and generation, with Storyloom's sampling (temperature, seed,
// top-k/top-p, repeat penalty), n samples as one batch, context overflow, cancel, and bad folders refused by
// name. transformers.js is an optional install (CI installs it); without it these tests say so and skip.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HumanMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { isStoryloomError } from '../../src/errors';
import { createModelCaller } from '../../src/models/caller';
import { checkModelFile, listModelFiles } from '../../src/models/model-files';
import { checkRunModels } from '../../src/models/run-models';
import { samplingOf } from '../../src/models/in-process-sampling';
import type { ModelEnv } from '../../src/models/spec';
import { TransformersChatModel } from '../../src/models/transformers-chat-model';
import { loadTransformersModel, releaseTransformersModels, transformersInstalled } from '../../src/models/transformers-runtime';
import type { ModelSpecObject } from '../../src/pipeline/schema';
import { expectShippedPipelineCompletes, expectThreeDistinctCandidates } from './in-process-runs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeTinyTransformersModel } = require('../../../../test/support/tiny-onnx.js');

const installed = transformersInstalled();
if (!installed) {
  console.warn('transformers tests skipped: @huggingface/transformers is not installed (ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save @huggingface/transformers@4.3.2)');
}
const describeInstalled = installed ? describe : describe.skip;

const folder = mkdtempSync(join(tmpdir(), 'storyloom-onnx-'));
const env: ModelEnv = { STORYLOOM_MODELS_DIR: folder };
const prompt = { system: 'You write loglines.', prompt: 'A lighthouse keeper hears drowned sailors in the fog.', offline: () => 'unused' };
const repo = join(__dirname, '..', '..', '..', '..');

beforeAll(() => {
  writeTinyTransformersModel(join(folder, 'gpt2'));
  writeTinyTransformersModel(join(folder, 'endless'), { endBias: -20, positions: 8192 });
  writeTinyTransformersModel(join(folder, 'rambling'), { closeBias: -6 });
  // One token per byte makes the screenplay's later prompts several thousand tokens long.
  writeTinyTransformersModel(join(folder, 'long'), { positions: 32768, seed: 8 });
});

afterAll(async () => {
  if (installed) await releaseTransformersModels();
  rmSync(folder, { recursive: true, force: true });
});

function caller(spec: Omit<ModelSpecObject, 'provider'>, hooks = {}) {
  return createModelCaller({ spec: { provider: 'transformers', model: 'gpt2', ...spec }, env, hooks, maxRetries: 0 });
}

describeInstalled('transformers ONNX models', () => {
  test('temperature 0 gives identical text twice, with usage', async () => {
    const tokens: string[] = [];
    const usage: Array<{ inputTokens: number; outputTokens: number }> = [];
    const first = await caller({ temperature: 0, maxTokens: 30 }, { onToken: (t: string) => tokens.push(t), onUsage: (u: never) => usage.push(u) }).text(prompt);
    const second = await caller({ temperature: 0, maxTokens: 30 }).text(prompt);
    expect(first.length).toBeGreaterThan(0);
    expect(second).toBe(first);
    expect(tokens.join('')).toBe(first);
    expect(usage[0]!.inputTokens).toBe(Buffer.byteLength(`${prompt.system}\n\n${prompt.prompt}\n\n`)); // one token per byte
  });

  test('the same seed repeats; two seeds give different text; tokens stream as they are picked', async () => {
    const tokens: string[] = [];
    const seeded = (seed: number) => caller({ temperature: 1, seed, maxTokens: 40 }, { onToken: (t: string) => tokens.push(t) }).text(prompt);
    const a = await seeded(1);
    expect(tokens.length).toBeGreaterThan(1); // one chunk per picked token, not the answer at the end
    expect(tokens.join('')).toBe(a);
    const [again, b] = [await seeded(1), await seeded(2)];
    expect(again).toBe(a);
    expect(b).not.toBe(a);
  });

  test('n samples are one batch of the prompt and give distinct drafts', async () => {
    const model = new TransformersChatModel({ modelDir: join(folder, 'gpt2'), sampling: samplingOf({ provider: 'transformers', seed: 5, maxTokens: 40 }), n: 3 });
    const result = await model.generate([[new HumanMessage('Three loglines, please.')]]);
    const drafts = result.generations[0]!.map((generation) => generation.text);
    expect(drafts).toHaveLength(3);
    expect(new Set(drafts).size).toBe(3);
  });

  test('JSON answers are held to the grammar built from the schema, so random weights give valid JSON', async () => {
    const schema = z.object({
      title: z.string().min(2),
      mood: z.enum(['eerie', 'warm', 'bleak']),
      score: z.number().int().min(1).max(10),
      beats: z.array(z.object({ name: z.string(), minutes: z.number() })).min(2).max(3),
    });
    for (const seed of [1, 2, 3]) {
      const value = await caller({ seed, maxTokens: 300 }).json({ prompt: 'The beats as JSON.', schema, offline: () => ({ title: '', mood: 'warm' as const, score: 1, beats: [] }) });
      expect(schema.safeParse(value).success).toBe(true);
    }
    const list = z.array(z.object({ name: z.string().min(1), age: z.number().int().min(18).max(90) })).min(2).max(4);
    expect(list.safeParse(await caller({ seed: 4, maxTokens: 300 }).json({ prompt: 'The cast as a JSON list.', schema: list, offline: () => [] })).success).toBe(true);
  });

  test('JSON that runs out of tokens under the open grammar is written again under one fitted to the budget', async () => {
    const schema = z.object({ title: z.string().min(1), lines: z.array(z.string().min(1)).min(2) });
    const usage: number[] = [];
    const rambling = createModelCaller({ spec: { provider: 'transformers', model: 'rambling', seed: 3, maxTokens: 80 }, env, maxRetries: 0, hooks: { onUsage: (u) => usage.push(u.outputTokens) } });
    const value = await rambling.json({ prompt: 'A title and lines as JSON.', schema, offline: () => ({ title: '', lines: [] }) });
    expect(schema.safeParse(value).success).toBe(true);
    expect(usage).toHaveLength(1);
    expect(usage[0]).toBeGreaterThan(80); // the first answer used its 80 tokens without closing its JSON
    expect(usage[0]).toBeLessThanOrEqual(160);
  });

  test('a prompt longer than the model sees is refused with the numbers', async () => {
    const error = await caller({}).text({ ...prompt, prompt: 'fog '.repeat(300) }).catch((e: unknown) => e);
    expect(isStoryloomError(error, 'model_error')).toBe(true);
    expect((error as Error).message).toMatch(/the prompt is \d+ tokens but transformers model .*gpt2 sees at most 1024 positions/);
  });

  test('cancel stops the generation at once and frees the model for the next call', async () => {
    const controller = new AbortController();
    let streamed = 0;
    const endless = createModelCaller({
      spec: { provider: 'transformers', model: 'endless', maxTokens: 4000 },
      env: { ...env, STORYLOOM_LOCAL_SEQUENCES: '1' },
      signal: controller.signal,
      maxRetries: 0,
      hooks: {
        onToken: () => {
          if (++streamed === 10) controller.abort();
        },
      },
    });
    const error = await endless.text(prompt).catch((e: unknown) => e);
    expect(isStoryloomError(error, 'cancelled')).toBe(true);
    const atCancel = streamed;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(streamed - atCancel).toBeLessThanOrEqual(2);
    const loaded = await loadTransformersModel(join(folder, 'endless'), env);
    const release = await loaded.slots.acquire(AbortSignal.timeout(10_000)); // the cancelled call gave its slot back
    release();
  });

  test('the models folder lists Transformers folders', () => {
    expect(listModelFiles(env).transformers).toEqual(['endless', 'gpt2', 'long', 'rambling']);
  });
});

describe('bad transformers folders are refused by name', () => {
  const pipeline = JSON.parse(readFileSync(join(repo, 'pipelines', 'short-story.json'), 'utf8'));

  test('missing folder, a file instead of a folder, no ONNX model, broken config.json, not ONNX', () => {
    expect(() => checkRunModels(pipeline, 'transformers:nope', env)).toThrow(/model file 'nope' .*no such folder/);
    writeFileSync(join(folder, 'file'), 'x');
    expect(() => checkModelFile('transformers', 'file', env)).toThrow(/is not a folder/);
    const broken = join(folder, 'broken');
    mkdirSync(join(broken, 'onnx'), { recursive: true });
    writeFileSync(join(broken, 'config.json'), '{"model_type": "gpt2"}');
    writeFileSync(join(broken, 'tokenizer.json'), '{}');
    expect(() => checkModelFile('transformers', 'broken', env)).toThrow(/has no ONNX model/);
    writeFileSync(join(broken, 'onnx', 'model.onnx'), 'not protobuf');
    expect(() => checkModelFile('transformers', 'broken', env)).toThrow(/onnx\/model\.onnx is not an ONNX model/);
    writeFileSync(join(broken, 'config.json'), '{"model_type": ');
    expect(() => checkModelFile('transformers', 'broken', env)).toThrow(/config\.json is not valid JSON/);
    rmSync(broken, { recursive: true });
  });
});

describeInstalled('a whole shipped pipeline on the tiny transformers model', () => {
  test('candidates: 3 on a node gives three distinct drafts at its approval', async () => {
    await expectThreeDistinctCandidates(env, { provider: 'transformers', model: 'long' });
  }, 120_000);

  test('the shipped short screenplay completes: every JSON node parses thanks to the grammar', async () => {
    const model = { provider: 'transformers' as const, model: 'long', seed: 11, maxTokens: 300 };
    await expectShippedPipelineCompletes('short-screenplay.json', env, model, { scenes: 2, cast: 2 });
  }, 300_000);
});
