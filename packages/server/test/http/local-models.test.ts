// The API with local GGUF models: the models folder is offered by GET /api/models, a run naming a missing or
// corrupt model file (or transformers folder) is a 400 that names it (and stores nothing), and a run on a real
// (tiny) GGUF file completes through the server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer, waitForRun } from './support';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeTinyGguf } = require('../../../../test/support/tiny-gguf.js');

const PREMISE = 'A lighthouse keeper hears drowned sailors in the fog.';
const oneNode = {
  format: 'storyloom/pipeline@1',
  id: 'one',
  name: 'One',
  inputs: { premise: { type: 'string', required: true } },
  nodes: [{ id: 'logline', type: 'logline' }],
  edges: [],
};

let server: TestServer;
let modelsDir: string;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-http-local-'));
  modelsDir = path.join(dir, 'models');
  fs.mkdirSync(path.join(modelsDir, 'llama'), { recursive: true });
  writeTinyGguf(path.join(modelsDir, 'tiny.gguf'));
  writeTinyGguf(path.join(modelsDir, 'llama', 'other.gguf'), { seed: 3 });
  const whole = fs.readFileSync(path.join(modelsDir, 'tiny.gguf'));
  fs.writeFileSync(path.join(modelsDir, 'broken.gguf'), whole.subarray(0, whole.length / 2)); // an interrupted download
  // A Transformers folder whose weights are not an ONNX model.
  fs.mkdirSync(path.join(modelsDir, 'broken-gpt2', 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(modelsDir, 'broken-gpt2', 'config.json'), '{"model_type": "gpt2"}');
  fs.writeFileSync(path.join(modelsDir, 'broken-gpt2', 'tokenizer.json'), '{}');
  fs.writeFileSync(path.join(modelsDir, 'broken-gpt2', 'onnx', 'model.onnx'), 'not protobuf');
  server = await startTestServer({ dir, env: { STORYLOOM_MODELS_DIR: modelsDir, STORYLOOM_LOCAL_THREADS: '1' } });
});

afterAll(async () => {
  await server.stop();
  fs.rmSync(server.dir, { recursive: true, force: true });
});

test('GET /api/models offers the GGUF files of STORYLOOM_MODELS_DIR', async () => {
  const { status, body } = await server.call('GET', '/api/models');
  expect(status).toBe(200);
  const local = body.find((entry: { provider: string }) => entry.provider === 'local');
  expect(local).toEqual(expect.objectContaining({ available: true, default: false, models: ['broken.gguf', 'llama/other.gguf', 'tiny.gguf'] }));
  expect(local.note).toContain(modelsDir);
});

test('a run naming a missing or corrupt model file is a 400 naming the file; nothing is stored', async () => {
  const missing = await server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: 'local:nope.gguf' });
  expect(missing.status).toBe(400);
  expect(missing.body.error.message).toMatch(/^model: model file 'nope\.gguf' .*no such file/);
  const corrupt = await server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: { provider: 'local', model: 'broken.gguf' } });
  expect(corrupt.status).toBe(400);
  expect(corrupt.body.error.message).toMatch(/broken\.gguf.*is truncated: its tensors need \d+ bytes but the file has \d+/);
  const inPipeline = await server.call('POST', '/api/runs', { pipeline: { ...oneNode, model: 'local:gone.gguf' }, inputs: { premise: PREMISE } });
  expect(inPipeline.status).toBe(400);
  expect(inPipeline.body.error.message).toMatch(/^pipeline model: model file 'gone\.gguf'/);
  expect((await server.call('GET', '/api/runs')).body).toEqual([]);
});

test('a run naming a missing or corrupt transformers folder is a 400 naming it; nothing is stored', async () => {
  const missing = await server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: 'transformers:gpt2' });
  expect(missing.status).toBe(400);
  expect(missing.body.error.message).toMatch(/^model: model file 'gpt2' .*(no such folder|not installed)/);
  const corrupt = await server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: { provider: 'transformers', model: 'broken-gpt2' } });
  expect(corrupt.status).toBe(400);
  expect(corrupt.body.error.message).toMatch(/broken-gpt2.*(onnx\/model\.onnx is not an ONNX model|not installed)/);
  expect((await server.call('GET', '/api/runs')).body).toEqual([]);
});

test('a run on a tiny GGUF completes through the server, its JSON output valid', async () => {
  const { status, body } = await server.call('POST', '/api/runs', {
    pipeline: oneNode,
    inputs: { premise: PREMISE },
    model: { provider: 'local', model: 'tiny.gguf', seed: 4, temperature: 0.7, topK: 20, topP: 0.9, repeatPenalty: 1.2 },
  });
  expect(status).toBe(202);
  const run = await waitForRun(server, body.id, (view) => view.status === 'completed' || view.status === 'failed', 120_000);
  expect(run.error).toBeUndefined();
  expect(run.status).toBe('completed');
  expect(run.nodes.logline.output).toMatchObject({ logline: expect.any(String) });
});
