// The editor as a producer's workbench, in real headless Chromium against the real server (fresh SQLite
// file, the shipped pipelines, the offline model): the canvas (labels as titles, review target picker,
// Ctrl+A, shortcuts, Save only when changed, Run from the top bar), runs followed live wherever they were
// started (history rows, progress, per-node figures, Cancel that asks, Resume), validation in a producer's
// words, light and dark themes, the offline writer marked, pipeline versions compared, and axe-core with no
// serious or critical violations on the editor, the run console, an approval card and the output view.
import { axeViolations as axeSeriousViolations } from '../support/axe';
import { waitForRun, type TestRunView } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';
import { canvasTextUnder } from '../support/canvas-text';

jest.setTimeout(180_000);

const editor = editorSuite({ context: { colorScheme: 'dark', bypassCSP: true } });
const { api } = editor;
const shot = (name: string) => saveScreenshot(editor.page, `workbench-${name}`);
const node = (id: string) => editor.page.locator(`.react-flow__node[data-id="${id}"]`);

const axeViolations = () => axeSeriousViolations(editor.page);

/** Visible text set smaller than 11 px. */
const smallText = () =>
  editor.page.evaluate(() => {
    const small: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const own = Array.from(element.childNodes).some((child) => child.nodeType === Node.TEXT_NODE && child.textContent!.trim() !== '');
      if (!own || element.getClientRects().length === 0) continue;
      const size = parseFloat(getComputedStyle(element).fontSize);
      if (size < 11) small.push(`${element.tagName.toLowerCase()}.${element.className} ${size}px "${element.textContent!.trim().slice(0, 30)}"`);
    }
    return small;
  });

test('the canvas: labels as titles, a review target picker, Ctrl+A, shortcuts, Save only when something changed', async () => {
  await editor.page.goto(`${editor.server.url}/?pipeline=short-screenplay`);
  await node('scene-list').waitFor();
  await expect(node('scene-list').locator('.story-node-type').textContent()).resolves.toBe('Scene list');
  await expect(node('scene-list').locator('.story-node-id').textContent()).resolves.toBe('Scenes · scene-list');
  // Every node of the shipped pipeline is in view next to the panels, once the canvas has fitted them (the fit
  // waits for the nodes' measured sizes, a frame or two after they first render).
  const nodesOutOfView = () =>
    editor.page.evaluate(() => {
      const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
      return Array.from(document.querySelectorAll('.react-flow__node'))
        .filter((element) => {
          const box = element.getBoundingClientRect();
          return !(box.left >= pane.left - 1 && box.right <= pane.right + 1 && box.top >= pane.top - 1 && box.bottom <= pane.bottom + 1);
        })
        .map((element) => element.getAttribute('data-id'));
    });
  let outOfView = await nodesOutOfView();
  for (const deadline = Date.now() + 10_000; outOfView.length > 0 && Date.now() < deadline; outOfView = await nodesOutOfView()) {
    await editor.page.waitForTimeout(100);
  }
  expect(outOfView).toEqual([]);
  // At the zoom it opened at, every line on the nodes shows at 11 px or more.
  expect(await canvasTextUnder(editor.page, 11)).toEqual([]);
  expect(await editor.page.getByTestId('save-button').isDisabled()).toBe(true);

  await editor.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await editor.page.keyboard.press('Control+a');
  await expect(editor.page.locator('.react-flow__node.selected').count()).resolves.toBe(8);
  // The page's text is not selected instead.
  expect(await editor.page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');

  await editor.page.keyboard.press('?');
  await editor.page.getByTestId('shortcuts-help').waitFor();
  await expect(editor.page.getByTestId('shortcuts-help').textContent()).resolves.toContain('Ctrl+Enter');
  await editor.page.keyboard.press('Escape');
  await editor.page.getByTestId('shortcuts-help').waitFor({ state: 'detached' });

  await editor.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } }); // clears the selection
  await node('notes').click();
  const target = editor.page.getByTestId('config-target');
  await expect(target.inputValue()).resolves.toBe('lines');
  const options = await target.locator('option').allTextContents();
  expect(options).toContain('Dialogue (lines)');
  expect(options.some((option) => option.includes('(script)'))).toBe(false); // downstream: not a choice
  await shot('1-canvas');
});

test('Run from the top bar with unsaved edits offers to save first; the run uses the saved version', async () => {
  await editor.page.getByTestId('tab-pipeline').click();
  await editor.page.getByTestId('pipeline-name').fill('Short screenplay, tightened');
  expect(await editor.page.getByTestId('save-button').isEnabled()).toBe(true);
  await editor.page.getByTestId('tab-run').click();
  await editor.page.getByTestId('input-premise').fill('A night-shift radio host takes a call from her own future.');
  expect(await editor.page.getByTestId('topbar-run').isEnabled()).toBe(true);
  await editor.page.keyboard.press('Control+Enter'); // from the premise box: the shortcut works while typing too
  await editor.page.getByTestId('choice-dialog').waitFor();
  await expect(editor.page.getByTestId('choice-dialog').textContent()).resolves.toContain('unsaved');
  await shot('2-unsaved-run');
  await editor.page.getByTestId('save-and-run').click();
  await editor.page.locator('[data-testid="watched-run"]').waitFor();
  const runId = (await editor.page.getByTestId('watched-run').getAttribute('data-run-id'))!;
  expect((await api<TestRunView>(`/api/runs/${runId}`)).version).toBe(2);
  expect(await editor.page.getByTestId('save-button').isDisabled()).toBe(true);
  // Saving nothing new makes no version on the server either (Ctrl+S says so).
  await editor.page.keyboard.press('Control+s');
  expect((await api<Array<unknown>>('/api/pipelines/short-screenplay/versions')).length).toBe(2);
  await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor({ timeout: 90_000 });
  const progress = editor.page.getByTestId('run-progress');
  await expect(progress.getAttribute('data-done')).resolves.toBe('8');
  await expect(progress.textContent()).resolves.toMatch(/8 of 8 stages done · [\d.]+ (ms|s)/);
  // Per node on the canvas: how long it took (and the tokens it used, when the model reports them).
  await node('lines').locator('.story-node-figures').waitFor();
  await expect(node('lines').locator('.story-node-figures').textContent()).resolves.toMatch(/\d+(\.\d+)? (ms|s)/);
  await shot('3-completed');
});

test('runs started from the API appear in the history live, with premise, version, duration, tokens, cost and who started them', async () => {
  const started = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'short-screenplay', inputs: { premise: 'Two lighthouse keepers trade shifts and never meet.' } }) });
  const row = editor.page.locator(`.run-history li[data-run-id="${started.id}"]`);
  await row.waitFor({ timeout: 20_000 }); // no Refresh clicked: the list polls
  await expect(row.textContent()).resolves.toContain('Two lighthouse keepers trade shifts');
  await editor.page.locator(`.run-history li[data-run-id="${started.id}"][data-status="completed"]`).waitFor({ timeout: 90_000 });
  await expect(row.textContent()).resolves.toContain('v2');
  await expect(row.getByTestId('history-duration').textContent()).resolves.toMatch(/\d/);
  const run = await api<TestRunView & { startedBy?: { name: string; role: string }; usage?: { costUsd?: number } }>(`/api/runs/${started.id}`);
  const tokens = Object.values(run.nodes).reduce((sum, n) => sum + (n.usage?.totalTokens ?? 0), 0);
  if (tokens > 0) await expect(row.getByTestId('history-tokens').textContent()).resolves.toMatch(/tokens/);
  // Who started it (with no users configured, the local owner), and what it cost (nothing, offline).
  expect(run.startedBy).toBeDefined();
  await expect(row.getByTestId('history-started-by').textContent()).resolves.toBe(`by ${run.startedBy!.name} (${run.startedBy!.role})`);
  expect(run.usage?.costUsd).toBe(0);
  await expect(row.getByTestId('history-cost').textContent()).resolves.toBe('$0.00');
});

test('on the Run tab with no run shown, a run started from the API is followed live, with its figures', async () => {
  await editor.page.getByRole('button', { name: 'Back to editing' }).click();
  await editor.page.getByTestId('watched-run').waitFor({ state: 'detached' });
  await editor.page.locator('.run-history li').first().waitFor();
  const started = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'short-screenplay', inputs: { premise: 'A tailor sews a coat that remembers its owners.' } }) });
  // No click: the history's poll notices the new run and the console follows it.
  await editor.page.locator(`[data-testid="watched-run"][data-run-id="${started.id}"]`).waitFor({ timeout: 20_000 });
  await editor.page.locator(`[data-testid="watched-run"][data-run-status="completed"]`).waitFor({ timeout: 90_000 });
  await expect(editor.page.getByTestId('input-premise').inputValue()).resolves.toBe('A tailor sews a coat that remembers its owners.');
  await expect(editor.page.getByTestId('run-started-by').textContent()).resolves.toMatch(/started by \S+ \((owner|editor)\)/);
  await node('script').and(editor.page.locator('[data-status="completed"]')).waitFor();
  await expect(editor.page.getByTestId('run-progress').textContent()).resolves.toMatch(/8 of 8 stages done · [\d.]+ (ms|s)/);
  await expect(node('cast').locator('.story-node-figures').textContent()).resolves.toMatch(/\d+(\.\d+)? (ms|s)/);
});

test('the output view marks the offline placeholder writer; axe finds nothing serious in the output view', async () => {
  await editor.page.getByTestId('open-output').click();
  await editor.page.getByTestId('screenplay').waitFor();
  await expect(editor.page.getByTestId('output-viewer').getByTestId('offline-notice').textContent()).resolves.toMatch(/offline placeholder writer/);
  await shot('4-output');
  expect(await axeViolations()).toEqual([]);
  await editor.page.keyboard.press('Escape');
  await editor.page.getByTestId('output-node').selectOption('cast');
  await editor.page.getByTestId('node-run-detail').getByTestId('offline-notice').waitFor();
});

/**
 * Holds the console's reads of run views that `hold` picks until `until` settles, the way a slow answer on another
 * connection arrives late; the others go through (`delivered` is told of each once it has). The first read of each
 * run, which starts watching it, always goes through.
 */
async function holdRunViews(options: { hold: (view: TestRunView) => boolean; until: Promise<void>; delivered?: (view: TestRunView) => void }) {
  const runView = /\/api\/runs\/[^/?]+$/;
  const seen = new Set<string>();
  const held: Array<Promise<void>> = [];
  let heldOne!: () => void;
  const holding = new Promise<void>((resolve) => (heldOne = resolve));
  await editor.page.route(runView, async (route) => {
    const id = new URL(route.request().url()).pathname.split('/').pop()!;
    if (route.request().method() !== 'GET' || !seen.has(id)) {
      seen.add(id);
      return route.continue();
    }
    const response = await route.fetch();
    const answer = { status: response.status(), headers: response.headers(), body: await response.body() };
    const view = JSON.parse(answer.body.toString()) as TestRunView;
    if (!options.hold(view)) {
      await route.fulfill(answer);
      return options.delivered?.(view);
    }
    const late = options.until.then(() => route.fulfill(answer));
    held.push(late);
    heldOne();
    await late;
  });
  return { held, holding, stop: () => editor.page.unroute(runView) };
}

test('a view the server sent before the run ended, arriving after it, never puts the watched run back', async () => {
  // The console refetches the run view while nodes complete and again when the run ends. Here every view read
  // while the run was still going is held until the final one has been delivered, the way a slow answer on
  // another connection arrives late: the console keeps showing the run completed, every stage done.
  await editor.page.getByRole('button', { name: 'Back to editing' }).click();
  await editor.page.getByTestId('watched-run').waitFor({ state: 'detached' });
  let endedDelivered!: () => void;
  const ended = new Promise<void>((resolve) => (endedDelivered = resolve));
  const late = await holdRunViews({
    hold: (view) => view.status !== 'completed',
    until: ended,
    delivered: (view) => view.status === 'completed' && endedDelivered(),
  });
  // What the console shows, each time it changes: the run's status and how many stages are done.
  await editor.page.evaluate(() => {
    const shown: string[] = ((window as unknown as { shownRun: string[] }).shownRun = []);
    new MutationObserver(() => {
      const status = document.querySelector('[data-testid="watched-run"]')?.getAttribute('data-run-status');
      const line = `${status} ${document.querySelector('[data-testid="run-progress"]')?.getAttribute('data-done')}`;
      if (status && shown[shown.length - 1] !== line) shown.push(line);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  try {
    const slow = { provider: 'offline', latencyMs: 500 };
    const started = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'short-screenplay', model: slow, inputs: { premise: 'A bell-ringer counts the hours of a town that stopped its clocks.' } }) });
    await editor.page.locator(`[data-testid="watched-run"][data-run-id="${started.id}"]`).waitFor({ timeout: 20_000 });
    await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor({ timeout: 90_000 });
    await ended;
    expect(late.held.length).toBeGreaterThan(0); // the race happened: views from mid-run were answered after the end
    await Promise.all(late.held);
    await editor.page.waitForTimeout(500); // the late answers are read and shown within milliseconds when they are shown
    const shown = await editor.page.evaluate(() => (window as unknown as { shownRun: string[] }).shownRun);
    expect(shown.slice(shown.indexOf('completed 8'))).toEqual(['completed 8']);
    await expect(editor.page.getByTestId('run-progress').textContent()).resolves.toMatch(/^8 of 8 stages done/);
  } finally {
    await late.stop();
  }
});

test('a view the server sent before a decision, arriving after it, never brings the decided card back', async () => {
  // The run stops at its two parallel gates, and the console asks for the run view. Every answer with 'cast'
  // waiting is held until 'cast' has been approved on its card, so it arrives after the decision.
  await editor.page.goto(`${editor.server.url}/?pipeline=screenplay-with-approvals`);
  await editor.page.locator('.react-flow__node[data-id="script"]').waitFor();
  await editor.page.getByTestId('tab-run').click();
  let decisionShown!: () => void;
  const decided = new Promise<void>((resolve) => (decisionShown = resolve));
  const late = await holdRunViews({
    hold: (view) => view.status === 'waiting' && view.pending.some((approval) => approval.nodeId === 'cast'),
    until: decided,
  });
  // Each time the console adds or removes the 'cast' card.
  await editor.page.evaluate(() => {
    const shown: string[] = ((window as unknown as { castCard: string[] }).castCard = []);
    new MutationObserver(() => {
      const state = document.querySelector('[data-testid="approval-panel"] [data-approval="cast"]') ? 'in' : 'out';
      if (shown[shown.length - 1] !== state) shown.push(state);
    }).observe(document.body, { subtree: true, childList: true });
  });
  let runId: string | undefined;
  try {
    await editor.page.getByTestId('input-premise').fill('A ferry pilot carries the same stranger across every night.');
    await editor.page.getByTestId('run-button').click();
    runId = (await editor.page.getByTestId('watched-run').getAttribute('data-run-id'))!;
    const card = editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]');
    await card.waitFor();
    await editor.page.waitForFunction(() => document.querySelectorAll('[data-testid="approval-panel"] [data-approval]').length === 2);
    await late.holding; // a view asked for while the run waits is held
    await card.getByTestId('approve-button').click();
    await card.waitFor({ state: 'detached' });
    decisionShown();
    await Promise.all(late.held);
    await editor.page.waitForTimeout(500); // the late answer is read and shown within milliseconds when it is shown
    const shown = await editor.page.evaluate(() => (window as unknown as { castCard: string[] }).castCard);
    expect(shown.slice(shown.indexOf('in'))).toEqual(['in', 'out']);
    await editor.page.locator('[data-testid="approval-panel"] [data-approval="world"]').waitFor();
  } finally {
    decisionShown();
    await late.stop();
    if (runId) await api(`/api/runs/${runId}/cancel`, { method: 'POST' });
  }
});

test('Cancel asks first; a cancelled run can be resumed; axe finds nothing serious on the run console and an approval card', async () => {
  const started = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'screenplay-with-approvals', inputs: { premise: 'A cartographer maps a city that rearranges itself nightly.' } }) });
  await waitForRun(api, started.id, (r) => r.pending.length >= 2);
  await editor.page.goto(`${editor.server.url}/?pipeline=screenplay-with-approvals`);
  await editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]').waitFor(); // the waiting run is picked up
  expect(await axeViolations()).toEqual([]);
  expect(await smallText()).toEqual([]);
  await shot('5-approval-dark');
  await editor.page.getByTestId('cancel-run').click();
  await editor.page.getByTestId('choice-dialog').waitFor();
  await editor.page.getByTestId('choice-cancel').click();
  expect((await api<TestRunView>(`/api/runs/${started.id}`)).status).toBe('waiting');
  await editor.page.getByTestId('cancel-run').click();
  await editor.page.getByTestId('confirm-cancel').click();
  await editor.page.locator('[data-testid="watched-run"][data-run-status="cancelled"]').waitFor();
  await editor.page.getByTestId('resume-run').click();
  await waitForRun(api, started.id, (r) => r.status === 'waiting');
  await editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]').waitFor();
});

test('validation speaks a producer\'s language in the problems list and on the node', async () => {
  const pipeline = {
    format: 'storyloom/pipeline@1',
    id: 'missing-cast',
    name: 'Missing cast',
    inputs: { premise: { type: 'text', required: true } },
    nodes: [
      { id: 'logline', type: 'logline', position: { x: 0, y: 0 } },
      { id: 'beats', type: 'outline', position: { x: 260, y: 0 } },
      { id: 'lines', type: 'dialogue', label: 'Lines', position: { x: 520, y: 0 } },
    ],
    edges: [
      { source: 'logline', target: 'beats' },
      { source: 'beats', target: 'lines' },
    ],
  };
  await api('/api/pipelines?draft=true', { method: 'POST', body: JSON.stringify(pipeline) });
  await editor.page.goto(`${editor.server.url}/?pipeline=missing-cast`);
  await node('lines').locator('.story-node-problem').waitFor();
  await expect(editor.page.getByTestId('problems').textContent()).resolves.toContain("Dialogue 'Lines' needs a Characters node before it — connect one");
  await shot('6-message');
});

test('light and dark themes follow the system, the toggle overrides it; axe is clean on the editor in both', async () => {
  const bg = () => editor.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const DARK = 'rgb(15, 18, 23)';
  const LIGHT = 'rgb(244, 245, 247)';
  await editor.page.goto(`${editor.server.url}/?pipeline=short-screenplay`);
  await node('lines').waitFor();
  expect(await bg()).toBe(DARK);
  expect(await axeViolations()).toEqual([]);
  await editor.page.emulateMedia({ colorScheme: 'light' });
  expect(await bg()).toBe(LIGHT);
  await editor.page.waitForTimeout(400); // buttons fade their background (0.12 s): measure contrast after it
  expect(await axeViolations()).toEqual([]);
  expect(await smallText()).toEqual([]);
  await shot('7-light');
  // The toggle wins over the system and is remembered.
  await editor.page.getByTestId('theme-toggle').click();
  expect(await bg()).toBe(DARK);
  await editor.page.reload();
  await node('lines').waitFor();
  expect(await bg()).toBe(DARK);
  await editor.page.getByTestId('theme-toggle').click();
  expect(await bg()).toBe(LIGHT);
});

test('History compares two pipeline versions: settings, nodes and connections', async () => {
  await editor.page.getByText('History', { exact: true }).click();
  await editor.page.getByTestId('compare-v1').click();
  const diff = editor.page.getByTestId('version-history').getByTestId('diff-view');
  await diff.waitFor();
  await expect(diff.locator('.diff-section[data-status="changed"] h5').first().textContent()).resolves.toContain('Pipeline settings');
  await expect(diff.textContent()).resolves.toContain('tightened');
  expect(await axeViolations()).toEqual([]);
  await shot('8-version-diff');
  await editor.page.keyboard.press('Escape');
});

test('nodes added by clicking the palette land in view, side by side', async () => {
  await editor.page.getByTestId('new-pipeline').click();
  for (let i = 0; i < 7; i++) await editor.page.getByTestId('palette-logline').click();
  await expect(editor.page.locator('.react-flow__node').count()).resolves.toBe(7);
  const boxes = await editor.page.evaluate(() => {
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    const nodes = Array.from(document.querySelectorAll('.react-flow__node')).map((element) => element.getBoundingClientRect());
    return {
      inView: nodes.every((box) => box.left >= pane.left && box.right <= pane.right && box.top >= pane.top && box.bottom <= pane.bottom),
      overlapping: nodes.some((a, i) => nodes.some((b, j) => j > i && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)),
    };
  });
  expect(boxes).toEqual({ inView: true, overlapping: false });
  await shot('9-added-nodes');
  expect(editor.pageErrors).toEqual([]);
});
