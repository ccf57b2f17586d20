// A pipeline's budget set in the editor, in real headless Chromium against the real server (fresh SQLite file, the
// offline model): the producer sets a token budget in the pipeline's settings and saves it; a run of the saved
// version stops at that budget, and once it is raised at the budget card the run's figures show the new budget.
import { axeViolations } from '../support/axe';
import { waitForRun, type TestRunView } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';

jest.setTimeout(180_000);

const PIPELINE = {
  format: 'storyloom/pipeline@1',
  id: 'budget-from-settings',
  name: 'Budget from settings',
  inputs: { premise: { type: 'string', required: true } },
  nodes: [
    { id: 'logline', type: 'logline' },
    { id: 'cast', type: 'characters', label: 'Characters', config: { count: 3 } },
    { id: 'world', type: 'setting', label: 'World' },
  ],
  edges: [
    { source: 'logline', target: 'cast' },
    { source: 'cast', target: 'world' },
  ],
};

const editor = editorSuite({ context: { bypassCSP: true } });
const { api } = editor;

test('a budget set in the pipeline settings is saved with it, stops its runs, and the run shows the budget it runs under', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(PIPELINE) });
  await editor.page.goto(`${editor.server.url}/?pipeline=${PIPELINE.id}`);
  await editor.page.getByTestId('tab-pipeline').click();
  await editor.page.getByTestId('pipeline-budget').getByTestId('budget-tokens').fill('2500');
  await editor.page.getByTestId('save-button').click();
  await editor.page.waitForFunction(() => (document.querySelector('[data-testid="save-button"]') as HTMLButtonElement | null)?.disabled === true);
  const saved = await api<{ pipeline: { budget?: unknown } }>(`/api/pipelines/${PIPELINE.id}`);
  expect(saved.pipeline.budget).toEqual({ maxTokens: 2500 });

  await editor.page.getByTestId('tab-run').click();
  await editor.page.getByTestId('input-premise').fill('A beekeeper inherits a hive that hums the names of the dead.');
  await editor.page.getByTestId('run-button').click();
  const card = editor.page.locator('[data-testid="approval-panel"] .approval-card[data-kind="budget"]');
  await card.waitFor({ timeout: 60_000 });
  const runId = (await editor.page.getByTestId('watched-run').getAttribute('data-run-id'))!;
  const waiting = await api<TestRunView & { pending: Array<{ nodeId: string; kind?: string; draft: any }> }>(`/api/runs/${runId}`);
  expect(waiting.pending).toEqual([expect.objectContaining({ kind: 'budget' })]);
  const { nodeId, draft } = waiting.pending[0];
  expect(await card.getAttribute('data-approval')).toBe(nodeId);
  expect(draft.budget).toEqual({ maxTokens: 2500 });
  await expect(card.getByTestId('budget-spent').textContent()).resolves.toContain(`${draft.spent.totalTokens.toLocaleString('en')} tokens`);
  await expect(editor.page.getByTestId('run-budget').textContent()).resolves.toContain('budget 2,500 tokens');
  await editor.page.getByTestId('tab-pipeline').click();
  await editor.page.getByTestId('pipeline-budget').scrollIntoViewIfNeeded();
  await saveScreenshot(editor.page, 'budget-settings-1');
  expect(await axeViolations(editor.page)).toEqual([]);
  await editor.page.getByTestId('tab-run').click();

  await card.getByTestId('budget-raise').click();
  await card.getByTestId('budget-maxTokens').fill('1000000');
  await card.getByTestId('budget-raise-submit').click();
  await card.waitFor({ state: 'detached' });
  const done = await waitForRun(api, runId, (r) => r.status === 'completed');
  expect((done as TestRunView & { budget?: unknown }).budget).toEqual({ maxTokens: 1_000_000 });
  await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor({ timeout: 30_000 });
  await expect(editor.page.getByTestId('run-budget').textContent()).resolves.toContain('budget 1000k tokens');
  expect(editor.pageErrors).toEqual([]);
});
