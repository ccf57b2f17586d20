// The real `storyloom` CLI with local models: a missing or corrupt GGUF file (or transformers folder) exits 2
// naming the file before anything is stored, and a run on a tiny GGUF written here completes (exit 0) with the
// sampling controls given in the model spec. Models are found relative to STORYLOOM_MODELS_DIR or the working folder.
import fs from 'node:fs';
import path from 'node:path';
import { PIPELINES_DIR, runCli, workspaceForFile } from './support/cli';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeTinyGguf } = require('./support/tiny-gguf.js');

const workspace = workspaceForFile('storyloom-cli-local-');
const PREMISE = 'premise=A lighthouse keeper hears drowned sailors in the fog';
const story = path.join(PIPELINES_DIR, 'short-story.json');

function env() {
  return { STORYLOOM_MODELS_DIR: path.join(workspace.ws.dir, 'models'), STORYLOOM_LOCAL_THREADS: '1' };
}

beforeAll(() => {
  const models = path.join(workspace.ws.dir, 'models');
  fs.mkdirSync(models, { recursive: true });
  writeTinyGguf(path.join(models, 'tiny.gguf'));
  fs.writeFileSync(path.join(models, 'notes.gguf'), 'not a model');
  fs.mkdirSync(path.join(models, 'broken-gpt2', 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(models, 'broken-gpt2', 'config.json'), '{"model_type": "gpt2"}');
  fs.writeFileSync(path.join(models, 'broken-gpt2', 'tokenizer.json'), '{}');
  fs.writeFileSync(path.join(models, 'broken-gpt2', 'onnx', 'model.onnx'), 'not protobuf');
});

test('a missing model file exits 2 naming it; nothing is stored', async () => {
  const result = await runCli(['run', story, '--input', PREMISE, '--model', 'local:missing.gguf', ...workspace.db], { env: env() });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/--model: model file 'missing\.gguf' \(.*models\/missing\.gguf; STORYLOOM_MODELS_DIR=.*\): no such file/);
  const runs = await runCli(['runs', '--json', ...workspace.db], { env: env() });
  expect(JSON.parse(runs.stdout)).toEqual([]);
});

test('a file that is not a GGUF model exits 2 naming it', async () => {
  const result = await runCli(['run', story, '--input', PREMISE, '--model', 'local:notes.gguf', ...workspace.db], { env: env() });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/model file 'notes\.gguf'.*is not a GGUF model file/);
});

test('a missing transformers folder exits 2 naming it', async () => {
  const result = await runCli(['run', story, '--input', PREMISE, '--model', 'transformers:gpt2', ...workspace.db], { env: env() });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/model file 'gpt2'.*(no such folder|not installed)/);
});

test('a transformers folder whose model is not ONNX exits 2 naming it', async () => {
  const result = await runCli(['run', story, '--input', PREMISE, '--model', 'transformers:broken-gpt2', ...workspace.db], { env: env() });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/model file 'broken-gpt2'.*(onnx\/model\.onnx is not an ONNX model|not installed)/);
});

test('a run on a tiny GGUF completes, named relative to the working folder too', async () => {
  const pipeline = {
    format: 'storyloom/pipeline@1',
    id: 'one-local',
    name: 'One local node',
    inputs: { premise: { type: 'string', required: true } },
    model: { provider: 'local', model: 'models/tiny.gguf', seed: 2, temperature: 0.9, topK: 30, topP: 0.9, repeatPenalty: 1.15, maxTokens: 300 },
    nodes: [{ id: 'logline', type: 'logline' }],
    edges: [],
  };
  const file = workspace.ws.file('one-local.json', pipeline);
  const result = await runCli(['run', file, '--input', PREMISE, '--json', ...workspace.db], {
    env: { STORYLOOM_LOCAL_THREADS: '1' },
    cwd: workspace.ws.dir,
    timeoutMs: 120_000,
  });
  expect(result.stderr).not.toMatch(/Error/);
  expect(result.code).toBe(0);
  const run = JSON.parse(result.stdout);
  expect(run.status).toBe('completed');
  expect(typeof run.nodes.logline.output.logline).toBe('string');
}, 150_000);
