// The editor end to end, in real headless Chromium against the real server (fresh SQLite file, offline model):
// draw a pipeline from the palette, watch validation react, save, run, decide two parallel approvals, read
// the screenplay, and re-run from a node with upstream outputs reused.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, saveScreenshot, startEditorServer, type EditorServer } from '../support/browser';

jest.setTimeout(120_000);

let server: EditorServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startEditorServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  pageErrors = collectPageErrors(page);
});

afterEach(async () => {
  await context?.close();
});

/** Runs one step of a scenario; on failure saves a screenshot under test-artifacts/ named after it. */
async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const file = await saveScreenshot(page, `editor-${expect.getState().currentTestName ?? 'test'}-${name}`);
    (error as Error).message += `\n(step '${name}'; screenshot: ${file})`;
    throw error;
  }
}

/** With STORYLOOM_E2E_SCREENSHOTS=1, saves the UI at key moments to test-artifacts/ for a person to look at. */
const snap = async (name: string) => {
  if (process.env.STORYLOOM_E2E_SCREENSHOTS) await saveScreenshot(page, `editor-tour-${name}`);
};

const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const statusOf = (id: string) =>
  page.evaluate((nodeId) => {
    const element = document.querySelector(`[data-id="${nodeId}"] [data-status], [data-id="${nodeId}"][data-status]`);
    return element?.getAttribute('data-status') ?? null;
  }, id);

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${server.url}${path}`, init);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Drags a palette entry onto the canvas at a point relative to the canvas' top-left corner. */
async function dropFromPalette(type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

/** Connects two nodes by dragging from the source's output handle to the target's input handle. */
async function connect(source: string, target: string): Promise<void> {
  const from = await node(source).locator('.react-flow__handle.source').boundingBox();
  const to = await node(target).locator('.react-flow__handle.target').boundingBox();
  if (!from || !to) throw new Error(`handles of ${source} → ${target} not found`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 4 });
  await page.mouse.up();
  await page.locator(`.react-flow__edge[data-id="${source}->${target}"], [data-testid="rf__edge-${source}->${target}"]`).first().waitFor({ state: 'attached' });
}

async function waitForStatus(ids: string[], status: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    ({ ids, status }) =>
      ids.every((id) => document.querySelector(`[data-id="${id}"] [data-status], [data-id="${id}"][data-status]`)?.getAttribute('data-status') === status),
    { ids, status },
    { timeout: timeoutMs },
  );
}

const problemCount = async () => Number(await page.getByTestId('problems').getAttribute('data-count'));

interface RunView {
  id: string;
  status: string;
  parentRunId?: string;
  nodes: Record<string, { status: string; output?: any }>;
}

test('draw, validate, save, run with two parallel approvals, read the screenplay and re-run from a node', async () => {
  await step('open', async () => {
    await page.goto(server.url);
    await page.getByTestId('palette-logline').waitFor();
  });

  await step('draw', async () => {
    // Dropped roughly (the canvas is ~800 px wide here); auto-layout tidies them after connecting.
    await dropFromPalette('logline', 110, 120);
    await dropFromPalette('characters', 360, 60);
    await dropFromPalette('setting', 360, 220);
    await dropFromPalette('outline', 610, 120);
    await dropFromPalette('dialogue', 110, 340);
    for (const id of ['logline', 'cast', 'setting', 'outline', 'dialogue']) await node(id).waitFor();
  });

  await step('validation error appears', async () => {
    // The dialogue node reads scenes/outline and characters, which nothing upstream writes yet.
    await node('dialogue').locator('.story-node.has-problems').waitFor();
    await expect(node('dialogue').locator('.story-node-problem').textContent()).resolves.toMatch(/needs slot/);
    expect(await problemCount()).toBeGreaterThan(0);
    await snap('1-invalid');
    await expect(page.getByTestId('problems').textContent()).resolves.toMatch(/dialogue/);
    // Run is refused with the reason while the pipeline is invalid.
    await page.getByTestId('tab-run').click();
    await expect(page.getByTestId('run-button').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('run-blocked').textContent()).resolves.toMatch(/problem/);
  });

  await step('connect', async () => {
    await connect('logline', 'cast');
    await connect('logline', 'setting');
    await connect('cast', 'outline');
    await connect('setting', 'outline');
    await connect('outline', 'dialogue');
    await dropFromPalette('export', 360, 400);
    await node('export').waitFor();
    await connect('dialogue', 'export');
  });

  await step('auto-layout', async () => {
    await page.getByTestId('layout-button').click();
    // Layered, left to right: each node sits right of the nodes it reads from.
    await page.waitForFunction(() => {
      const x = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`)!.getBoundingClientRect().x;
      return x('logline') < x('cast') && x('cast') < x('outline') && x('outline') < x('dialogue') && x('dialogue') < x('export');
    });
    await page.waitForTimeout(300); // the fit-view animation
  });

  await step('validation error goes away', async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '0');
    expect(await node('dialogue').locator('.story-node.has-problems').count()).toBe(0);
    await expect(page.getByTestId('problems').textContent()).resolves.toMatch(/Valid pipeline/);
  });

  await step('approvals and pipeline settings', async () => {
    for (const id of ['cast', 'setting']) {
      await node(id).click();
      await page.getByTestId('approval-toggle').check();
      await node(id).locator('.approval-mark').waitFor();
    }
    await page.getByTestId('tab-pipeline').click();
    await page.getByTestId('pipeline-id').fill('e2e-story');
    await page.getByTestId('pipeline-id').press('Enter');
    await page.getByTestId('pipeline-name').fill('E2E story');
  });

  await step('save', async () => {
    await page.getByTestId('save-button').click();
    await page.getByTestId('toast-success').waitFor();
    const stored = await api<{ version: number; pipeline: { nodes: Array<{ id: string; approval?: boolean }>; edges: unknown[] } }>('/api/pipelines/e2e-story');
    expect(stored.version).toBe(1);
    expect(stored.pipeline.nodes.map((n) => n.id).sort()).toEqual(['cast', 'dialogue', 'export', 'logline', 'outline', 'setting']);
    expect(stored.pipeline.nodes.filter((n) => n.approval).map((n) => n.id).sort()).toEqual(['cast', 'setting']);
    expect(stored.pipeline.edges).toHaveLength(6);
    await snap('2-saved');
    expect(new URL(page.url()).searchParams.get('pipeline')).toBe('e2e-story');
  });

  let firstRunId = '';
  await step('run until two approvals are pending', async () => {
    await page.getByTestId('tab-run').click();
    await page.getByTestId('input-premise').fill('A lighthouse keeper finds a message in a bottle addressed to her, dated tomorrow.');
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="approval-panel"] [data-approval="cast"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="approval-panel"] [data-approval="setting"]').waitFor({ timeout: 30_000 });
    expect(await statusOf('cast')).toBe('waiting');
    expect(await statusOf('setting')).toBe('waiting');
    expect(await statusOf('logline')).toBe('completed');
    await snap('3-approvals');
    firstRunId = (await page.getByTestId('watched-run').getAttribute('data-run-id'))!;
  });

  await step('edit one approval, approve the other', async () => {
    const castCard = page.locator('[data-testid="approval-panel"] [data-approval="cast"]');
    await castCard.getByTestId('edit-button').click();
    const editor = castCard.getByTestId('edit-draft');
    const draft = JSON.parse(await editor.inputValue());
    const list = Array.isArray(draft) ? draft : draft.characters;
    list[0].description = 'Edited in the browser: a keeper of lights and of secrets.';
    await editor.fill(JSON.stringify(draft, null, 2));
    await snap('4-editing');
    await castCard.getByTestId('submit-edit').click();
    await castCard.waitFor({ state: 'detached' });
    await page.locator('[data-testid="approval-panel"] [data-approval="setting"]').getByTestId('approve-button').click();
  });

  await step('every node completes', async () => {
    await waitForStatus(['logline', 'cast', 'setting', 'outline', 'dialogue', 'export'], 'completed', 60_000);
    await page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor();
    const run = await api<RunView>(`/api/runs/${firstRunId}`);
    expect(run.status).toBe('completed');
    expect(JSON.stringify(run.nodes.cast.output)).toContain('Edited in the browser');
    await snap('5-completed');
  });

  await step('read the Fountain output', async () => {
    await page.getByTestId('open-output').click();
    const screenplay = page.getByTestId('screenplay');
    await screenplay.waitFor();
    expect(await screenplay.locator('.sp-scene').count()).toBeGreaterThan(0);
    expect(await screenplay.locator('.sp-character').count()).toBeGreaterThan(0);
    expect(await screenplay.locator('.sp-dialogue').count()).toBeGreaterThan(0);
    await expect(screenplay.locator('.sp-scene').first().textContent()).resolves.toMatch(/^(INT|EXT)/);
    const heading = await screenplay.locator('.sp-scene').first().evaluate((el) => getComputedStyle(el).fontWeight);
    expect(Number(heading)).toBeGreaterThanOrEqual(700);
    await snap('6-screenplay');
    await page.getByTestId('output-tab-markdown').click();
    await page.locator('.document-text.prose').waitFor();
    const download = page.waitForEvent('download');
    await page.getByTestId('download-fdx').click();
    expect((await download).suggestedFilename()).toMatch(/\.fdx$/);
    await page.keyboard.press('Escape');
    await page.locator('.modal-backdrop').click({ position: { x: 5, y: 5 } });
    await screenplay.waitFor({ state: 'detached' });
  });

  await step('re-run from a node', async () => {
    await node('outline').click();
    await page.getByTestId('tab-run').click();
    await page.getByTestId('rerun-button').click();
    await page.waitForFunction((first) => {
      const id = document.querySelector('[data-testid="watched-run"]')?.getAttribute('data-run-id');
      return id && id !== first;
    }, firstRunId);
    await waitForStatus(['logline', 'cast', 'setting'], 'reused');
    await waitForStatus(['outline', 'dialogue', 'export'], 'completed', 60_000);
    const rerunId = (await page.getByTestId('watched-run').getAttribute('data-run-id'))!;
    const rerun = await api<RunView>(`/api/runs/${rerunId}`);
    expect(rerun.parentRunId).toBe(firstRunId);
    await snap('7-rerun');
    expect(rerun.nodes.logline.status).toBe('reused');
    expect(JSON.stringify(rerun.nodes.cast.output)).toContain('Edited in the browser');
  });

  expect(pageErrors).toEqual([]);
});
