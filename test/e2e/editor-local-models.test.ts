// The editor's model picker with local models, in Chromium: the server's models folder is offered as choices,
// sampling settings turn the choice into a model object, and a run started from the Run tab on a tiny GGUF
// (written here) completes on the canvas.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saveScreenshot } from '../support/browser';
import { editorSuite } from '../support/editor-suite';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeTinyGguf } = require('../support/tiny-gguf.js');

let modelsDir: string | undefined;

// The models folder, written before the suite's server starts on it.
beforeAll(() => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-e2e-models-'));
  writeTinyGguf(path.join(modelsDir, 'tiny.gguf'));
});
afterAll(() => {
  if (modelsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
});
const editor = editorSuite({ shipped: false, serverEnv: () => ({ STORYLOOM_MODELS_DIR: modelsDir!, STORYLOOM_LOCAL_THREADS: '1' }) });

test('choose a local GGUF from the models folder with a seed, run, and the node completes', async () => {
  const pipeline = {
    format: 'storyloom/pipeline@1',
    id: 'local-one',
    name: 'Local logline',
    inputs: { premise: { type: 'string', required: true, description: 'The idea' } },
    nodes: [{ id: 'logline', type: 'logline', position: { x: 0, y: 0 } }],
    edges: [],
  };
  const saved = await fetch(`${editor.server.url}/api/pipelines`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(pipeline) });
  expect(saved.status).toBe(201);

  const { page, pageErrors: errors } = editor;
  try {
    await page.goto(`${editor.server.url}/?pipeline=local-one`);
    await page.getByTestId('tab-run').click();
    const picker = page.getByTestId('model-provider');
    await picker.waitFor();
    const providers = await picker.locator('option').allTextContents();
    expect(providers).toContain('local');
    expect(providers.some((label) => label.startsWith('transformers'))).toBe(true); // "(not configured)" when not installed
    await picker.selectOption('local');
    // The datalist offers the server's models folder.
    expect(await page.locator('datalist#models-local option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['tiny.gguf']);
    await page.getByTestId('model-name').fill('tiny.gguf');
    await page.getByTestId('model-sampling').locator('summary').click();
    await page.getByTestId('sampling-seed').fill('3');
    await page.getByTestId('sampling-temperature').fill('0.7');
    await page.getByTestId('input-premise').fill('A lighthouse keeper hears drowned sailors in the fog.');
    await saveScreenshot(page, 'editor-local-model-picker');
    const started = page.waitForRequest((request) => request.url().endsWith('/api/runs') && request.method() === 'POST');
    await page.getByTestId('run-button').click();
    const body = JSON.parse((await started).postData() ?? '{}');
    expect(body.model).toEqual({ provider: 'local', model: 'tiny.gguf', seed: 3, temperature: 0.7 });
    await page.locator('.react-flow__node[data-id="logline"] [data-status="completed"], .react-flow__node[data-id="logline"][data-status="completed"]').first().waitFor({ timeout: 120_000 });
    await saveScreenshot(page, 'editor-local-model-run');
    expect(errors).toEqual([]);
  } catch (error) {
    await saveScreenshot(page, 'editor-local-model-failure');
    throw error;
  }
}, 180_000);
