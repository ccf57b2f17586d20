// Runs on a real model server, in real headless Chromium against the real server: a pipeline on a priced OpenAI
// model (the OpenAI-compatible stub, priced by the shipped price table) shows its tokens and cost per node on
// the canvas, for the whole run beside its progress, and on its row in the run history, the same figures the API
// reports; a run that failed because the model refused a call says why and offers Resume, which finishes it
// without asking the model again for what was already written. axe-core (light theme) finds nothing serious on
// either.
import { axeViolations } from '../support/axe';
import { runFromEditor, waitForRun, type TestRunView } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';
import { startOpenAIStub, type OpenAIStub } from '../support/openai-stub';

jest.setTimeout(180_000);

let stub: OpenAIStub | undefined;

const PIPELINE = {
  format: 'storyloom/pipeline@1',
  id: 'priced',
  name: 'Priced',
  model: 'openai:gpt-4o-mini',
  inputs: { premise: { type: 'text', required: true } },
  nodes: [
    { id: 'logline', type: 'logline', label: 'Logline', position: { x: 0, y: 0 } },
    { id: 'cast', type: 'characters', label: 'Cast', config: { count: 2 }, position: { x: 260, y: 0 } },
  ],
  edges: [{ source: 'logline', target: 'cast' }],
};

// Started before the suite's server, whose environment names it.
beforeAll(async () => {
  stub = await startOpenAIStub();
});
afterAll(async () => {
  await stub?.close();
});
const editor = editorSuite({ context: { colorScheme: 'light', bypassCSP: true }, serverEnv: () => ({ OPENAI_BASE_URL: stub!.url, OPENAI_API_KEY: 'sk-test' }) });
const { api } = editor;
type PricedView = TestRunView & { usage?: { totalTokens: number; costUsd?: number }; nodes: Record<string, { usage?: { totalTokens: number; costUsd?: number } }> };

/** What the editor writes for an amount (two significant figures under a cent). */
const dollars = (usd: number) => (usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`);

test('tokens and cost per node on the canvas, per run beside its progress, and in the history row', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(PIPELINE) });
  const runId = await runFromEditor(editor.page, editor.server.url, 'priced', 'A bell-ringer loses her hearing the week of the festival.', editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]'), 90_000);
  const run = await waitForRun(api, runId, (r) => r.status === 'completed') as PricedView;
  expect(stub!.requests.length).toBeGreaterThanOrEqual(2);
  const cast = run.nodes.cast.usage!;
  expect(cast.costUsd).toBeGreaterThan(0);
  expect(run.usage!.costUsd).toBeGreaterThan(0);

  // On the canvas, each node: duration, its tokens and its cost.
  const figures = editor.page.locator('.react-flow__node[data-id="cast"] .story-node-figures');
  await figures.filter({ hasText: dollars(cast.costUsd!) }).waitFor(); // the run view is fetched once things settle
  await expect(figures.textContent()).resolves.toContain(`${cast.totalTokens.toLocaleString('en')} tokens`);
  // The run: stages done, duration, tokens and cost.
  await expect(editor.page.getByTestId('run-progress').textContent()).resolves.toContain(`2 of 2 stages done`);
  await expect(editor.page.getByTestId('run-progress').textContent()).resolves.toContain(dollars(run.usage!.costUsd!));
  // Its history row.
  const row = editor.page.locator(`.run-history li[data-run-id="${runId}"]`);
  await expect(row.getByTestId('history-cost').textContent()).resolves.toBe(dollars(run.usage!.costUsd!));
  await expect(row.getByTestId('history-tokens').textContent()).resolves.toMatch(/tokens/);
  await saveScreenshot(editor.page, 'run-figures-priced');
  expect(await axeViolations(editor.page)).toEqual([]);
  expect(editor.pageErrors).toEqual([]);
});

test('a failed run says why and offers Resume; resuming finishes it without re-sending completed calls', async () => {
  stub!.setBehavior({ respond: (request) => (/character/i.test(request.prompt) ? { status: 400, body: { error: { message: 'model is overloaded with nonsense' } } } : undefined) });
  await editor.page.getByTestId('input-premise').fill('A ferryman refuses one last passenger.');
  await editor.page.getByTestId('run-button').click();
  await editor.page.locator('[data-testid="watched-run"][data-run-status="failed"]').waitFor({ timeout: 90_000 });
  const runId = (await editor.page.getByTestId('watched-run').getAttribute('data-run-id'))!;
  await editor.page.locator('.react-flow__node[data-id="cast"][data-status="failed"]').waitFor();
  await expect(editor.page.getByTestId('watched-run').textContent()).resolves.toMatch(/cast|Cast/);
  expect(await editor.page.getByTestId('cancel-run').count()).toBe(0);
  await saveScreenshot(editor.page, 'run-failed-resume');
  expect(await axeViolations(editor.page)).toEqual([]);

  stub!.setBehavior({ respond: undefined });
  const sentBefore = stub!.requests.length;
  await editor.page.getByTestId('resume-run').click();
  await editor.page.locator(`[data-testid="watched-run"][data-run-id="${runId}"][data-run-status="completed"]`).waitFor({ timeout: 90_000 });
  await editor.page.locator('.react-flow__node[data-id="cast"][data-status="completed"]').waitFor();
  // Only the failed node asked the model again: the logline was kept.
  const resent = stub!.requests.slice(sentBefore);
  expect(resent.length).toBeGreaterThanOrEqual(1);
  expect(resent.every((request) => /character/i.test(request.prompt))).toBe(true);
  expect(await editor.page.getByTestId('resume-run').count()).toBe(0);
  expect(editor.pageErrors).toEqual([]);
});
