// Review comments in real headless Chromium against the real server (fresh SQLite file, the offline model):
// comments beside a waiting draft (one on the whole draft, one on a field picked by focusing it in the form),
// "Send back with 2 open comments" rejects with them as the feedback and resolves them, the redraft shows them
// resolved, the finished run's node output shows its threads beside it too, and the review report downloads.
import fs from 'node:fs';
import { axeViolations } from '../support/axe';
import { runFromEditor, waitForRun } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';

jest.setTimeout(180_000);

const PIPELINE = {
  format: 'storyloom/pipeline@1',
  id: 'cast-review',
  name: 'Cast review',
  inputs: { premise: { type: 'string', required: true } },
  nodes: [
    { id: 'logline', type: 'logline' },
    { id: 'cast', type: 'characters', label: 'Characters', config: { count: 2 }, approval: true },
  ],
  edges: [{ source: 'logline', target: 'cast' }],
};

const editor = editorSuite({ context: { bypassCSP: true } });
const { api } = editor;
const card = () => editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]');

test('comments beside a draft, then sent back as the reject feedback in one click', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(PIPELINE) });
  const runId = await runFromEditor(editor.page, editor.server.url, PIPELINE.id, 'A night-ferry captain who has never seen the far shore.', card());

  // In the narrow panel the comments follow the draft; widened, they sit beside it, top edges level.
  const comments = card().getByTestId('comments');
  await comments.waitFor();
  const form = card().getByTestId('draft-form');
  await form.waitFor();
  // Read in the page in one go: the card can re-render just after it shows, between two separate reads.
  const stacked = await editor.page.evaluate(() => {
    const side = document.querySelector('[data-approval="cast"] [data-testid="comments"]')!.getBoundingClientRect();
    const draft = document.querySelector('[data-approval="cast"] [data-testid="draft-form"]')!.getBoundingClientRect();
    return side.top > draft.bottom - 1;
  });
  expect(stacked).toBe(true);
  // Widen stops where the canvas keeps its least width: a window with room for both gives the panel 1080 px.
  await editor.page.setViewportSize({ width: 1920, height: 1080 });
  await editor.page.getByTestId('panel-expand').click();
  await editor.page.waitForFunction(() => {
    const side = document.querySelector('[data-approval="cast"] [data-testid="comments"]')!.getBoundingClientRect();
    const draft = document.querySelector('[data-approval="cast"] [data-testid="draft-form"]')!.getBoundingClientRect();
    return side.left >= draft.right - 1 && Math.abs(side.top - draft.top) < 80;
  });

  await comments.getByTestId('comment-body').fill('The two of them sound alike: make one older.');
  await comments.getByTestId('add-comment').click();
  await comments.locator('[data-testid="comment-thread"]').first().waitFor();
  // Focusing a field of the draft offers it as the anchor.
  await form.locator('[data-field="/characters/0/name"]').focus();
  await expect(comments.getByTestId('comment-field').inputValue()).resolves.toBe('/characters/0/name');
  await comments.getByTestId('comment-body').fill('Give her a surname.');
  await comments.getByTestId('add-comment').click();
  await editor.page.waitForFunction(() => document.querySelector('[data-approval="cast"] [data-testid="open-comments"]')?.getAttribute('data-count') === '2');
  const anchors = await comments.getByTestId('comment-anchor').allTextContents();
  expect(anchors).toEqual(['whole draft', 'field /characters/0/name']);
  const stored = await api<Array<{ anchor?: { field?: string }; status: string; attempt: number }>>(`/api/runs/${runId}/comments?nodeId=cast`);
  expect(stored.map((thread) => [thread.anchor?.field, thread.status, thread.attempt])).toEqual([
    [undefined, 'open', 1],
    ['/characters/0/name', 'open', 1],
  ]);
  await card().scrollIntoViewIfNeeded();
  await saveScreenshot(editor.page, 'comments-1-beside-draft');
  expect(await axeViolations(editor.page)).toEqual([]);

  await expect(comments.getByTestId('reject-with-comments').textContent()).resolves.toBe('Send back with 2 open comments');
  await comments.getByTestId('reject-with-comments').click();
  const redrafted = await waitForRun(api, runId, (run) => run.pending.some((p) => p.nodeId === 'cast') && run.status === 'waiting' && !!run.nodes.cast);
  expect(redrafted.pending.map((p) => p.nodeId)).toEqual(['cast']);
  const events = await (await fetch(`${editor.server.url}/api/runs/${runId}/review-report`)).text();
  expect(events).toContain('> - The two of them sound alike: make one older.');
  expect(events).toContain('> - (field /characters/0/name) Give her a surname.');

  // The redraft's card: attempt 2, last attempt's feedback shown, the threads resolved beside it.
  await editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"][data-attempt="2"]').waitFor({ timeout: 30_000 });
  await expect(card().getByTestId('feedback-given').textContent()).resolves.toContain('Give her a surname.');
  await editor.page.waitForFunction(() => document.querySelectorAll('[data-approval="cast"] [data-testid="comment-thread"][data-status="resolved"]').length === 2);
  expect(await card().getByTestId('reject-with-comments').isDisabled()).toBe(true);
  // A comment made elsewhere (another reviewer, the API) shows up without reloading.
  await api(`/api/runs/${runId}/comments`, { method: 'POST', body: JSON.stringify({ nodeId: 'cast', body: 'Much better now.' }) });
  await editor.page.waitForFunction(() => document.querySelector('[data-approval="cast"] [data-testid="open-comments"]')?.getAttribute('data-count') === '1', undefined, { timeout: 15_000 });
  await expect(card().locator('[data-testid="comment-thread"][data-status="open"]').textContent()).resolves.toContain('attempt 2');
  await saveScreenshot(editor.page, 'comments-2-redraft');
  expect(await axeViolations(editor.page)).toEqual([]);

  await card().getByTestId('approve-button').click();
  await waitForRun(api, runId, (run) => run.status === 'completed');
  // The node's output view shows its threads beside it as well.
  await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor({ timeout: 30_000 });
  await editor.page.getByTestId('output-node').selectOption('cast');
  const detail = editor.page.getByTestId('node-run-detail');
  await detail.locator('[data-testid="comment-thread"][data-status="resolved"]').nth(1).waitFor();
  await detail.locator('[data-testid="comment-thread"][data-status="open"]').waitFor();
  // The review report downloads from the output view.
  await editor.page.getByTestId('open-output').click();
  const download = editor.page.waitForEvent('download');
  await editor.page.getByTestId('download-review').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`cast-review-${runId}-review.md`);
  const report = fs.readFileSync((await file.path())!, 'utf8');
  expect(report).toContain('### Field /characters/0/name — resolved');
  expect(report).toMatch(/\*\*cast\*\* draft 2: approve/);
  expect(editor.pageErrors).toEqual([]);
});
