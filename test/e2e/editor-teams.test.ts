// The approvals inbox by role, in real headless Chromium against the real server (fresh SQLite file, the
// offline model, an owner key and three users). A gate assigned to reviewers: the editor who ran it sees it
// under "Assigned to others" with Approve disabled and the reason; the viewer cannot run or save; the reviewer
// sees it as theirs, approves it from the inbox, and the run's audit list names who did what.
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../support/browser';
import { editorSuite } from '../support/editor-suite';

jest.setTimeout(180_000);

const OWNER_KEY = 'owner-key-for-the-browser-test';
const PIPELINE = {
  format: 'storyloom/pipeline@1',
  id: 'assigned-cast',
  name: 'Assigned cast',
  inputs: { premise: { type: 'string', required: true } },
  nodes: [
    { id: 'logline', type: 'logline' },
    { id: 'cast', type: 'characters', label: 'Characters', config: { count: 3 }, approval: { role: 'reviewer' } },
  ],
  edges: [{ source: 'logline', target: 'cast' }],
};

// The suite's own page is not used: each test opens pages signed in as one of the users (`pageAs`).
const editor = editorSuite({ shipped: false, serverEnv: () => ({ STORYLOOM_API_KEYS: OWNER_KEY }) });
const tokens: Record<string, string> = {};
let runId: string;

async function api<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${editor.server.url}${path}`, {
    ...init,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function waitForStatus(status: string, pendingOn?: string): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const run = await api<{ status: string; pending: Array<{ nodeId: string }> }>(`/api/runs/${runId}`, OWNER_KEY);
    if (run.status === status && (!pendingOn || run.pending.some((p) => p.nodeId === pendingOn))) return;
    if (Date.now() > until) throw new Error(`run ${runId} stayed ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** A page signed in with `token` (the key the editor keeps in localStorage), open on the pipeline. */
async function pageAs(token: string): Promise<{ page: Page; errors: string[] }> {
  const context = await editor.browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript((key) => localStorage.setItem('storyloom.apiKey', key), token);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${editor.server.url}/?pipeline=${PIPELINE.id}`);
  return { page, errors };
}

beforeAll(async () => {
  for (const [name, role] of [
    ['ed', 'editor'],
    ['rita', 'reviewer'],
    ['vic', 'viewer'],
  ]) {
    tokens[role] = (await api<{ token: string }>('/api/users', OWNER_KEY, { method: 'POST', body: JSON.stringify({ name, role }) })).token;
  }
  await api('/api/pipelines', tokens.editor, { method: 'POST', body: JSON.stringify(PIPELINE) });
  runId = (await api<{ id: string }>('/api/runs', tokens.editor, { method: 'POST', body: JSON.stringify({ pipelineId: PIPELINE.id, inputs: { premise: 'A cartographer maps a city that redraws itself at night.' } }) })).id;
  await waitForStatus('waiting', 'cast');
});

const inboxItem = (page: Page) => page.locator(`[data-testid="approvals-inbox"] li[data-run-id="${runId}"][data-node-id="cast"]`);

test('the editor who ran it: the gate is someone else’s, listed apart and not counted; Approve is disabled with the reason', async () => {
  const { page, errors } = await pageAs(tokens.editor);
  await page.locator('[data-testid="whoami"][data-role="editor"]').waitFor();
  expect(await page.getByTestId('whoami').textContent()).toBe('ed · editor');
  await page.getByRole('button', { name: `Delete ${PIPELINE.id}` }).waitFor();
  await page.locator('[data-testid="approvals-count"][data-count="0"]').waitFor();
  await page.getByTestId('approvals-count').click();
  await inboxItem(page).waitFor();
  expect(await inboxItem(page).getAttribute('data-mine')).toBe('false');
  expect(await page.locator('[data-testid="inbox-others"]').locator(`li[data-run-id="${runId}"]`).count()).toBe(1);
  expect(await inboxItem(page).textContent()).toContain('for reviewers');
  await inboxItem(page).locator('button').click();
  const card = page.locator('[data-testid="approval-panel"] [data-approval="cast"]');
  await card.waitFor();
  expect(await card.getByTestId('approve-button').isDisabled()).toBe(true);
  expect(await card.getByTestId('decision-blocked').textContent()).toBe("'cast' is for reviewers to decide, not ed (editor)");
  await saveScreenshot(page, 'teams-1-editor-not-theirs');
  expect(errors).toEqual([]);
  await page.context().close();
});

test('the viewer: reads everything (comments too), may not run, save, cancel, decide or comment', async () => {
  const { page, errors } = await pageAs(tokens.viewer);
  await page.locator('[data-testid="whoami"][data-role="viewer"]').waitFor();
  const run = page.getByTestId('topbar-run');
  await page.waitForFunction(() => (document.querySelector('[data-testid="topbar-run"]') as HTMLButtonElement | null)?.disabled === true);
  expect(await run.getAttribute('title')).toBe('Your role (viewer) cannot change pipelines or runs.');
  expect(await page.getByTestId('save-button').isDisabled()).toBe(true);
  expect(await page.getByRole('button', { name: `Delete ${PIPELINE.id}` }).count()).toBe(0);
  await page.getByTestId('approvals-count').click();
  await inboxItem(page).waitFor();
  expect(await inboxItem(page).getAttribute('data-mine')).toBe('false');
  await inboxItem(page).locator('button').click();
  const card = page.locator('[data-testid="approval-panel"] [data-approval="cast"]');
  await card.waitFor();
  expect(await card.getByTestId('approve-button').isDisabled()).toBe(true);
  expect(await card.getByTestId('reject-button').isDisabled()).toBe(true);
  expect(await card.getByTestId('decision-blocked').textContent()).toBe('vic is a viewer; only owners, editors and reviewers decide approvals');
  // The draft's comments are there to read, with nothing to write them with.
  await card.getByTestId('comments-read-only').waitFor();
  expect(await card.getByTestId('comment-body').count()).toBe(0);
  expect(await page.getByTestId('cancel-run').count()).toBe(0);
  expect(errors).toEqual([]);
  await page.context().close();
});

test('the reviewer: the gate is theirs and counted; approving it from the inbox completes the run; the audit list says who did what', async () => {
  const { page, errors } = await pageAs(tokens.reviewer);
  await page.locator('[data-testid="whoami"][data-role="reviewer"]').waitFor();
  await page.locator('[data-testid="approvals-count"][data-count="1"]').waitFor();
  await page.getByTestId('approvals-count').click();
  await inboxItem(page).waitFor();
  expect(await inboxItem(page).getAttribute('data-mine')).toBe('true');
  await saveScreenshot(page, 'teams-2-reviewer-inbox');
  await inboxItem(page).locator('button').click();
  const card = page.locator('[data-testid="approval-panel"] [data-approval="cast"]');
  await card.waitFor();
  expect(await card.getByTestId('decision-blocked').count()).toBe(0);
  expect(await page.getByTestId('run-started-by').textContent()).toContain('ed');
  await card.getByTestId('approve-button').click();
  await card.waitFor({ state: 'detached' });
  await waitForStatus('completed');
  const decided = page.locator('[data-testid="audit-list"] li[data-action="approval.decided"][data-actor="rita"]');
  await decided.waitFor({ timeout: 30_000 });
  expect(await decided.textContent()).toContain('rita (reviewer) approved cast');
  expect(await page.locator('[data-testid="audit-list"] li[data-action="run.started"][data-actor="ed"]').count()).toBe(1);
  await saveScreenshot(page, 'teams-3-reviewer-approved');
  expect(errors).toEqual([]);
  await page.context().close();
});
