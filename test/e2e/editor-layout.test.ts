// Opening and auto-layout in real headless Chromium against the real server: a 7-node screenplay pipeline with
// two parallel approval gates and no stored positions opens with every node in view beside the panels, at
// 1440×900 and 1280×720, also with both gates waiting (the run panel is wider then), auto-layout brings a
// pipeline strung out on one long line back into view, and the text on the nodes reads at no less than 11 px on
// screen at the zoom the canvas opens and lays out at.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PIPELINES_DIR } from '../support/cli';
import { apiOf, shippedEditorSession } from '../support/editor-api';
import { saveScreenshot, type EditorServer } from '../support/browser';
import { canvasTextUnder } from '../support/canvas-text';

jest.setTimeout(180_000);

let server: EditorServer;
let page: Page;
let pageErrors: string[];

const session = shippedEditorSession({ colorScheme: 'dark' });
beforeAll(async () => {
  ({ server, page, pageErrors } = await session.start());
});
afterAll(() => session.close());

const api = apiOf(() => server);
const KEEP = ['logline', 'cast', 'world', 'beats', 'scene-list', 'lines', 'script'];

/** The shipped screenplay with approvals cut to seven nodes (cast and world stay parallel gates). */
function sevenNodes(id: string, position: (index: number) => { x: number; y: number } | undefined) {
  const shipped = JSON.parse(fs.readFileSync(path.join(PIPELINES_DIR, 'screenplay-with-approvals.json'), 'utf8'));
  const nodes = shipped.nodes
    .filter((node: { id: string }) => KEEP.includes(node.id))
    .map(({ position: _dropped, ...node }: { position?: unknown; id: string }, index: number) => ({ ...node, ...(position(index) ? { position: position(index) } : {}) }));
  const edges = [...shipped.edges.filter((edge: { source: string; target: string }) => KEEP.includes(edge.source) && KEEP.includes(edge.target)), { source: 'lines', target: 'script' }];
  return { ...shipped, id, name: `Seven nodes (${id})`, nodes, edges };
}

/** Laid out: the story wrapped onto rows, the script on a row below the logline. */
const wrapped = () =>
  page.waitForFunction(() => {
    const box = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`)?.getBoundingClientRect();
    return (box('script')?.top ?? 0) > (box('logline')?.bottom ?? Infinity);
  });

/** Canvas text that shows smaller than 11 px on screen: its font size times the canvas zoom. */
const SMALLEST_TEXT = 11;

/**
 * Once the layout and its fit have settled: the zoom, the nodes not wholly inside the canvas or covered, and the
 * node text rendered under 11 px.
 */
async function settledView(count = 7, laidOut: () => Promise<unknown> = wrapped) {
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, count);
  await laidOut();
  // The fit after the layout animates over 200 ms: wait until the viewport and the nodes stop moving.
  let last = '';
  for (;;) {
    await page.waitForTimeout(300);
    const now = await page.evaluate(() =>
      [getComputedStyle(document.querySelector('.react-flow__viewport')!).transform, ...Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node')).map((n) => n.style.transform)].join('|'),
    );
    if (now === last) break;
    last = now;
  }
  const view = await page.evaluate(() => {
    const zoom = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    const outside: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'))) {
      const box = element.getBoundingClientRect();
      const inPane = box.left >= pane.left && box.right <= pane.right && box.top >= pane.top && box.bottom <= pane.bottom;
      // Not hidden behind the minimap, the controls or a panel: its title is what the page shows at that point.
      const title = element.querySelector('.story-node-type')!.getBoundingClientRect();
      const onTop = element.contains(document.elementFromPoint(title.left + title.width / 2, title.top + title.height / 2));
      if (!inPane || !onTop) outside.push(element.dataset.id!);
    }
    return { zoom, outside };
  });
  return { ...view, small: await canvasTextUnder(page, SMALLEST_TEXT) };
}

test('a 7-node pipeline with two parallel gates and no positions opens with every node in view', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(sevenNodes('seven-unplaced', () => undefined)) });
  for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
    await page.setViewportSize(viewport);
    await page.goto(`${server.url}/?pipeline=seven-unplaced`);
    const view = await settledView();
    await saveScreenshot(page, `layout-seven-unplaced-${viewport.width}`);
    expect(view.outside).toEqual([]);
    // Wrapped onto rows, it fits at a zoom where the node titles read well, not shrunk to the readable minimum.
    expect(view.zoom).toBeGreaterThanOrEqual(0.8);
    expect(view.small).toEqual([]);
  }
  // Laid out on opening, not edited: nothing to save.
  expect(await page.getByTestId('save-button').isDisabled()).toBe(true);

  // With both gates waiting, opening picks the run up and the run panel widens: still every node in view.
  await api('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'seven-unplaced', inputs: { premise: 'Two sisters inherit one lighthouse.' } }) });
  await page.goto(`${server.url}/?pipeline=seven-unplaced`);
  await page.locator('[data-testid="approval-panel"] [data-approval="world"]').waitFor();
  await page.locator('.react-flow__node[data-id="cast"][data-status="waiting"]').waitFor();
  const waiting = await settledView();
  await saveScreenshot(page, 'layout-seven-unplaced-waiting-1280');
  expect(waiting.outside).toEqual([]);
});

test('the shipped short screenplay opens with every node in view and its text at 11 px or more on screen', async () => {
  for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
    await page.setViewportSize(viewport);
    await page.goto(`${server.url}/?pipeline=short-screenplay`);
    const view = await settledView(8, () => page.locator('.react-flow__node[data-id="script"]').waitFor());
    await saveScreenshot(page, `layout-short-screenplay-${viewport.width}`);
    expect(view.outside).toEqual([]);
    expect(view.small).toEqual([]);
  }
});

test('auto-layout brings a pipeline strung out on one line back into view', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(sevenNodes('seven-strung', (index) => ({ x: index * 420, y: 0 }))) });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`${server.url}/?pipeline=seven-strung`);
  // Stored positions are kept as drawn: this one opens readable and anchored at its start, its end out of view.
  await page.locator('.react-flow__node[data-id="script"]').waitFor();
  await page.waitForFunction(() => !/matrix\(0\.9, 0, 0, 0\.9, 40, 40\)/.test(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform));
  await page.waitForTimeout(400); // the fit animation
  const script = await page.locator('.react-flow__node[data-id="script"]').boundingBox();
  const pane = await page.locator('.react-flow').boundingBox();
  expect(script!.x + script!.width).toBeGreaterThan(pane!.x + pane!.width);
  await page.getByTestId('layout-button').click();
  await page.getByTestId('save-button').and(page.locator(':enabled')).waitFor();
  const after = await settledView();
  await saveScreenshot(page, 'layout-seven-strung-after');
  expect(after.outside).toEqual([]);
  expect(after.zoom).toBeGreaterThanOrEqual(0.8);
  expect(after.small).toEqual([]);
  expect(pageErrors).toEqual([]);
});
