// A run that reaches its budget, in real headless Chromium against the real server (fresh SQLite file, the
// offline model): the run waits before the node that would pass the budget, and its card says what was spent,
// what the node is expected to spend and which limit it would pass; raising the budget lets the run go on,
// going on without a budget finishes it, and stopping it cancels the run; the inbox names the check. axe-core
// finds nothing serious.
import { axeViolations } from '../support/axe';
import { runFromEditor, waitForRun, type TestRunView } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';

jest.setTimeout(180_000);

const PIPELINE = {
  format: 'storyloom/pipeline@1',
  id: 'budgeted',
  name: 'Budgeted',
  inputs: { premise: { type: 'text', required: true } },
  budget: { maxTokens: 1500 },
  nodes: [
    { id: 'logline', type: 'logline', label: 'Logline', position: { x: 0, y: 0 } },
    { id: 'cast', type: 'characters', label: 'Cast', config: { count: 2 }, position: { x: 260, y: 0 } },
    { id: 'world', type: 'setting', label: 'World', position: { x: 520, y: 0 } },
  ],
  edges: [
    { source: 'logline', target: 'cast' },
    { source: 'cast', target: 'world' },
  ],
};

const editor = editorSuite({ context: { colorScheme: 'dark', bypassCSP: true } });
const { api } = editor;
beforeAll(async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(PIPELINE) });
});
type BudgetView = TestRunView & { pending: Array<{ nodeId: string; kind?: string; draft: any }>; budget?: { maxTokens?: number } };
const budgetCard = () => editor.page.locator('[data-testid="approval-panel"] .approval-card[data-kind="budget"]');

async function runUntilBudget(premise: string): Promise<BudgetView> {
  const runId = await runFromEditor(editor.page, editor.server.url, 'budgeted', premise, budgetCard());
  return (await waitForRun(api, runId, (r) => r.pending.length > 0)) as BudgetView;
}

test('the budget card shows the figures; raising the budget goes on, going on without one finishes the run', async () => {
  const run = await runUntilBudget('A violinist plays one last concert in a flooded hall.');
  const pending = run.pending[0];
  expect(pending.kind).toBe('budget');
  const card = budgetCard();
  await expect(card.getAttribute('data-approval')).resolves.toBe(pending.nodeId);
  await expect(card.getByTestId('budget-spent').textContent()).resolves.toContain(`${pending.draft.spent.totalTokens.toLocaleString('en')} tokens`);
  await expect(card.getByTestId('budget-estimate').textContent()).resolves.toMatch(/about [\d,.]+k? tokens/);
  await expect(card.getByTestId('budget-limits').textContent()).resolves.toMatch(/1,500 tokens.*token limit/);
  await expect(card.textContent()).resolves.toContain('has not run yet');
  // The inbox names it for what it is.
  await editor.page.getByTestId('approvals-count').click();
  await expect(editor.page.locator(`[data-testid="approvals-inbox"] li[data-run-id="${run.id}"] .inbox-title`).textContent()).resolves.toBe(`Budget check before ${PIPELINE.nodes.find((n) => n.id === pending.nodeId)!.label}`);
  await editor.page.keyboard.press('Escape');
  await saveScreenshot(editor.page, 'budget-1-card');
  expect(await axeViolations(editor.page)).toEqual([]);
  // Nothing of the gated node ran: it waits.
  await editor.page.locator(`.react-flow__node[data-id="${pending.nodeId}"][data-status="waiting"]`).waitFor();

  await card.getByTestId('budget-raise').click();
  const suggested = Number(await card.getByTestId('budget-maxTokens').inputValue());
  expect(suggested).toBeGreaterThan(pending.draft.spent.totalTokens + pending.draft.estimate.totalTokens);
  await card.getByTestId('budget-maxTokens').fill(String(suggested));
  await card.getByTestId('budget-raise-submit').click();
  // The raised budget is the run's now; the gated node runs.
  const raised = (await waitForRun(api, run.id, (r) => r.nodes[pending.nodeId].status === 'completed' || r.status !== 'waiting' || (r as BudgetView).pending[0]?.nodeId !== pending.nodeId)) as BudgetView;
  expect(raised.budget?.maxTokens).toBe(suggested);

  // Wherever it stops again, going on without a budget finishes the run.
  for (;;) {
    const now = (await waitForRun(api, run.id, (r) => r.status !== 'running' && r.status !== 'queued')) as BudgetView;
    if (now.status !== 'waiting') break;
    await budgetCard().getByTestId('approve-button').click();
    await waitForRun(api, run.id, (r) => (r as BudgetView).pending.every((p) => p.nodeId !== now.pending[0].nodeId) || r.status !== 'waiting');
  }
  await editor.page.locator(`[data-testid="watched-run"][data-run-id="${run.id}"][data-run-status="completed"]`).waitFor({ timeout: 60_000 });
});

test('stopping at the budget cancels the run', async () => {
  const run = await runUntilBudget('A courier carries a sealed letter across a border that moves.');
  await budgetCard().getByTestId('budget-stop').click();
  await editor.page.locator(`[data-testid="watched-run"][data-run-id="${run.id}"][data-run-status="cancelled"]`).waitFor({ timeout: 30_000 });
  expect((await api<TestRunView>(`/api/runs/${run.id}`)).status).toBe('cancelled');
  expect(editor.pageErrors).toEqual([]);
});
