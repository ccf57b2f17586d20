// Opening and auto-layout in real headless Chromium against the real server: a 7-node screenplay pipeline with
// two parallel approval gates and no stored positions opens with every node in view beside the panels, at
// 1440×900 and 1280×720, also with both gates waiting (the run panel is wider then, and the graph is laid out
// again for the narrower canvas), auto-layout brings a pipeline strung out on one long line back into view, and
// the text on the nodes reads at no less than 11 px on screen at the zoom the canvas opens and lays out at. A
// pipeline with stored places whose run panel is dragged wide keeps that size of text: the canvas shows its
// waiting nodes and the rest is a pan away. A shipped pipeline run to its end from the Run panel (which widens
// for the run) ends with every node in view beside the panel. Widen, like the handle, stops where the canvas keeps
// its least width.
import fs from 'node:fs';
import path from 'node:path';
import { PIPELINES_DIR } from '../support/cli';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';
import { canvasTextUnder } from '../support/canvas-text';
import { LEGIBLE_ZOOM } from '../../packages/editor/src/graph/viewport';
import { maxPanelWidth, MIN_CANVAS_WIDTH } from '../../packages/editor/src/lib/panelWidth';

jest.setTimeout(180_000);

const editor = editorSuite({ context: { colorScheme: 'dark' } });
const { api } = editor;
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
  editor.page.waitForFunction(() => {
    const box = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`)?.getBoundingClientRect();
    return (box('script')?.top ?? 0) > (box('logline')?.bottom ?? Infinity);
  });

/** Canvas text that shows smaller than 11 px on screen: its font size times the canvas zoom. */
const SMALLEST_TEXT = 11;

/** Waits until the fit's animation and any layout have stopped moving the viewport and the nodes. */
async function settled() {
  let last = '';
  for (;;) {
    await editor.page.waitForTimeout(300);
    const now = await editor.page.evaluate(() =>
      [getComputedStyle(document.querySelector('.react-flow__viewport')!).transform, ...Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node')).map((n) => n.style.transform)].join('|'),
    );
    if (now === last) return;
    last = now;
  }
}

/**
 * The zoom, the nodes not wholly inside the canvas or covered, the pairs of nodes drawn over each other, and the
 * node text rendered under 11 px.
 */
async function currentView() {
  const view = await editor.page.evaluate(() => {
    const zoom = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    const outside: string[] = [];
    const nodes = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'));
    const overlapping: string[] = [];
    nodes.forEach((one, index) => {
      const a = one.getBoundingClientRect();
      for (const other of nodes.slice(index + 1)) {
        const b = other.getBoundingClientRect();
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlapping.push(`${one.dataset.id} ${other.dataset.id}`);
      }
    });
    for (const element of nodes) {
      const box = element.getBoundingClientRect();
      const inPane = box.left >= pane.left && box.right <= pane.right && box.top >= pane.top && box.bottom <= pane.bottom;
      // Not hidden behind the minimap, the controls or a panel: its title is what the page shows at that point.
      const title = element.querySelector('.story-node-type')!.getBoundingClientRect();
      const onTop = element.contains(document.elementFromPoint(title.left + title.width / 2, title.top + title.height / 2));
      if (!inPane || !onTop) outside.push(element.dataset.id!);
    }
    return { zoom, outside, overlapping };
  });
  return { ...view, small: await canvasTextUnder(editor.page, SMALLEST_TEXT) };
}

/** Once the layout and its fit have settled: the view as `currentView` gives it. */
async function settledView(count = 7, laidOut: () => Promise<unknown> = wrapped) {
  await editor.page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, count);
  await laidOut();
  await settled();
  return currentView();
}

test('a 7-node pipeline with two parallel gates and no positions opens with every node in view', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(sevenNodes('seven-unplaced', () => undefined)) });
  for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
    await editor.page.setViewportSize(viewport);
    await editor.page.goto(`${editor.server.url}/?pipeline=seven-unplaced`);
    const view = await settledView();
    await saveScreenshot(editor.page, `layout-seven-unplaced-${viewport.width}`);
    expect(view.outside).toEqual([]);
    // Wrapped onto rows, it fits at a zoom where the node titles read well, not shrunk to the readable minimum.
    expect(view.zoom).toBeGreaterThanOrEqual(0.8);
    expect(view.small).toEqual([]);
  }
  // Laid out on opening, not edited: nothing to save.
  expect(await editor.page.getByTestId('save-button').isDisabled()).toBe(true);

  // With both gates waiting, opening picks the run up and the run panel widens: still every node in view.
  await api('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'seven-unplaced', inputs: { premise: 'Two sisters inherit one lighthouse.' } }) });
  await editor.page.goto(`${editor.server.url}/?pipeline=seven-unplaced`);
  await editor.page.locator('[data-testid="approval-panel"] [data-approval="world"]').waitFor();
  await editor.page.locator('.react-flow__node[data-id="cast"][data-status="waiting"]').waitFor();
  const waiting = await settledView();
  await saveScreenshot(editor.page, 'layout-seven-unplaced-waiting-1280');
  // Laid out again for the narrower canvas, with the gates' taller run details: whole, legible, nothing stacked.
  expect(waiting.outside).toEqual([]);
  expect(waiting.overlapping).toEqual([]);
  expect(waiting.small).toEqual([]);
});

test('the shipped short screenplay opens with every node in view and its text at 11 px or more on screen', async () => {
  for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
    await editor.page.setViewportSize(viewport);
    await editor.page.goto(`${editor.server.url}/?pipeline=short-screenplay`);
    const view = await settledView(8, () => editor.page.locator('.react-flow__node[data-id="script"]').waitFor());
    await saveScreenshot(editor.page, `layout-short-screenplay-${viewport.width}`);
    expect(view.outside).toEqual([]);
    expect(view.small).toEqual([]);
  }
});

/** The side panel's and the canvas's widths on screen. */
const widths = () =>
  editor.page.evaluate(() => ({
    panel: document.querySelector('.side-panel')!.getBoundingClientRect().width,
    canvas: document.querySelector('.react-flow')!.getBoundingClientRect().width,
  }));

/** Drags the panel's resize handle `dx` px sideways with the mouse, as a user would, and lets the refit settle. */
async function dragPanelEdge(dx: number) {
  const handle = (await editor.page.getByTestId('panel-resizer').boundingBox())!;
  const [x, y] = [handle.x + handle.width / 2, handle.y + handle.height / 2];
  await editor.page.mouse.move(x, y);
  await editor.page.mouse.down();
  await editor.page.mouse.move(x + dx, y, { steps: 12 });
  await editor.page.mouse.up();
  await settled();
}

/** Pans the canvas by dragging its empty background (never a node, which would move it) until `id` is centred. */
async function panTo(id: string) {
  for (let step = 0; step < 8; step++) {
    const move = await editor.page.evaluate((nodeId) => {
      const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
      const box = document.querySelector(`.react-flow__node[data-id="${nodeId}"]`)!.getBoundingClientRect();
      const dx = pane.left + pane.width / 2 - (box.left + box.width / 2);
      const dy = pane.top + (pane.height - 115) / 2 - (box.top + box.height / 2); // the minimap's strip left out
      for (let y = pane.top + 12; y < pane.bottom - 12; y += 8) {
        for (let x = pane.left + 12; x < pane.right - 12; x += 8) {
          if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y, dx, dy };
        }
      }
      throw new Error('no empty spot on the canvas to drag from');
    }, id);
    if (Math.abs(move.dx) < 2 && Math.abs(move.dy) < 2) return;
    // At most 200 px per drag, so the pointer stays inside the window.
    const [dx, dy] = [Math.max(-200, Math.min(200, move.dx)), Math.max(-200, Math.min(200, move.dy))];
    await editor.page.mouse.move(move.x, move.y);
    await editor.page.mouse.down();
    await editor.page.mouse.move(move.x + dx, move.y + dy, { steps: 6 });
    await editor.page.mouse.up();
  }
}

test('widening the run panel by its handle keeps the canvas text legible, the waiting nodes in view and every node a pan away', async () => {
  // Placed by its author on two rows of four (stored positions are kept as drawn, never laid out again).
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(sevenNodes('seven-widened', (index) => ({ x: (index % 4) * 260, y: Math.floor(index / 4) * 200 }))) });
  await api('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'seven-widened', inputs: { premise: 'A lighthouse keeper counts ships that never arrive.' } }) });
  await editor.page.setViewportSize({ width: 1280, height: 720 });
  await editor.page.goto(`${editor.server.url}/?pipeline=seven-widened`);
  await editor.page.locator('[data-testid="approval-panel"] [data-approval="world"]').waitFor();
  await editor.page.locator('.react-flow__node[data-id="cast"][data-status="waiting"]').waitFor();
  const before = await settledView(7, () => editor.page.locator('.react-flow__node[data-id="script"]').waitFor());
  await saveScreenshot(editor.page, 'layout-widened-before-1280');
  expect(before.small).toEqual([]);
  const usual = await widths();

  // Dragged far to the left: the panel grows only as far as leaves the canvas its least width.
  await dragPanelEdge(-500);
  const widened = await widths();
  await saveScreenshot(editor.page, 'layout-widened-after-1280');
  expect(widened.panel).toBeGreaterThan(usual.panel + 50);
  expect(widened.panel).toBeCloseTo(maxPanelWidth(1280), 0);
  expect(widened.canvas).toBeGreaterThanOrEqual(MIN_CANVAS_WIDTH);
  expect(await editor.page.getByTestId('panel-resizer').getAttribute('aria-valuenow')).toBe(String(maxPanelWidth(1280)));
  const after = await currentView();
  expect(after.overlapping).toEqual([]);
  expect(after.zoom).toBeGreaterThanOrEqual(LEGIBLE_ZOOM);
  expect(after.small).toEqual([]);
  // Not all of it fits any more: the refit shows the two gates waiting for a decision.
  expect(after.outside.length).toBeGreaterThan(0);
  expect(after.outside).not.toContain('cast');
  expect(after.outside).not.toContain('world');

  // Every other node is a pan away, at the same legible zoom; panning moves no node (nothing to save).
  for (const id of after.outside) {
    await panTo(id);
    await settled();
    const view = await currentView();
    expect([id, view.outside.includes(id)]).toEqual([id, false]);
    expect(view.zoom).toBeCloseTo(after.zoom, 5);
    expect(view.small).toEqual([]);
  }
  await saveScreenshot(editor.page, 'layout-widened-panned-1280');
  expect(await editor.page.getByTestId('save-button').isDisabled()).toBe(true);

  // The cap follows the window: made narrower, the window takes its width from the panel, not the canvas.
  await editor.page.setViewportSize({ width: 1100, height: 720 });
  await editor.page.waitForFunction((least) => document.querySelector('.react-flow')!.getBoundingClientRect().width >= least, MIN_CANVAS_WIDTH);
  // The arrow keys move the edge too; double-clicking it gives the usual width back.
  await editor.page.getByTestId('panel-resizer').focus();
  await editor.page.keyboard.press('ArrowRight');
  await editor.page.waitForFunction((width) => document.querySelector('.side-panel')!.getBoundingClientRect().width < width - 20, maxPanelWidth(1100));
  await editor.page.setViewportSize({ width: 1280, height: 720 });
  await editor.page.getByTestId('panel-resizer').dblclick();
  await editor.page.waitForFunction((width) => Math.abs(document.querySelector('.side-panel')!.getBoundingClientRect().width - width) < 1, usual.panel);
  expect(editor.pageErrors).toEqual([]);
});

test('Widen stops where the canvas keeps its least width, in a small window too', async () => {
  await editor.page.goto(`${editor.server.url}/?pipeline=short-screenplay`);
  await editor.page.locator('.react-flow__node[data-id="script"]').waitFor();
  for (const viewport of [{ width: 1024, height: 700 }, { width: 1440, height: 900 }]) {
    await editor.page.setViewportSize(viewport);
    const usual = await widths();
    await editor.page.getByTestId('panel-expand').click();
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="panel-expand"]')!.getAttribute('aria-pressed') === 'true');
    await settled();
    const widened = await widths();
    await saveScreenshot(editor.page, `layout-widen-${viewport.width}`);
    // The same cap as the handle's: the canvas keeps its least width (the panel never going under its own).
    expect(widened.canvas).toBeGreaterThanOrEqual(MIN_CANVAS_WIDTH - 1);
    expect(widened.panel).toBeCloseTo(Math.max(usual.panel, maxPanelWidth(viewport.width)), 0);
    if (viewport.width > 1100) {
      // The cap follows the window: made narrower, the window takes its width from the panel, not the canvas.
      await editor.page.setViewportSize({ width: 1100, height: viewport.height });
      await editor.page.waitForFunction((width) => Math.abs(document.querySelector('.side-panel')!.getBoundingClientRect().width - width) < 1, maxPanelWidth(1100));
      expect((await widths()).canvas).toBeGreaterThanOrEqual(MIN_CANVAS_WIDTH - 1);
      await editor.page.setViewportSize(viewport);
    }
    // Narrow gives the usual width back.
    await editor.page.getByTestId('panel-expand').click();
    await editor.page.waitForFunction((width) => Math.abs(document.querySelector('.side-panel')!.getBoundingClientRect().width - width) < 1, usual.panel);
  }
  expect(editor.pageErrors).toEqual([]);
});

/** Approves each gate from its card in the Run panel, as it comes, until the watched run has ended. */
async function approveUntilEnded() {
  for (;;) {
    await editor.page.waitForFunction(() => {
      const status = document.querySelector<HTMLElement>('[data-testid="watched-run"]')?.dataset.runStatus;
      return ['completed', 'failed', 'cancelled'].includes(status ?? '') || document.querySelector('[data-testid="approve-button"]:enabled');
    }, undefined, { timeout: 60_000 });
    const status = await editor.page.getByTestId('watched-run').getAttribute('data-run-status');
    if (status === 'completed') return;
    if (status === 'failed' || status === 'cancelled') throw new Error(`the run ${status}`);
    const gate = await editor.page.locator('[data-testid="approval-panel"] [data-approval]').first().getAttribute('data-approval');
    const card = editor.page.locator(`[data-testid="approval-panel"] [data-approval="${gate}"]`);
    await card.getByTestId('approve-button').click();
    await card.waitFor({ state: 'detached' });
  }
}

test('a shipped pipeline run to its end from the Run panel shows every node beside the widened panel', async () => {
  // The screenplay without gates runs through in a moment; the one with gates waits on each approval, and the
  // canvas follows the waiting nodes meanwhile. Neither fits beside the run's panel at the legible zoom.
  const cases = [
    { pipeline: 'short-screenplay', viewport: { width: 1280, height: 720 } },
    { pipeline: 'screenplay-with-approvals', viewport: { width: 1280, height: 720 } },
    { pipeline: 'screenplay-with-approvals', viewport: { width: 1440, height: 900 } },
  ];
  for (const { pipeline, viewport } of cases) {
    await editor.page.setViewportSize(viewport);
    await editor.page.goto(`${editor.server.url}/?pipeline=${pipeline}`);
    await editor.page.locator('.react-flow__node[data-id="script"]').waitFor();
    await editor.page.getByTestId('tab-run').click();
    await editor.page.getByTestId('input-premise').fill('A lighthouse keeper hears drowned sailors in the fog.');
    await editor.page.getByTestId('run-button').click();
    await approveUntilEnded();
    await editor.page.locator('.react-flow__node[data-id="script"][data-status="completed"]').waitFor();
    await settled();
    await saveScreenshot(editor.page, `layout-after-run-${pipeline}-${viewport.width}`);
    const view = await currentView();
    // Wholly inside the canvas and on top there (`currentView`), so not cut off at an edge nor behind the panel.
    expect([pipeline, viewport.width, view.outside]).toEqual([pipeline, viewport.width, []]);
    expect(view.overlapping).toEqual([]);
    const behindPanel = await editor.page.evaluate(() => {
      const panelLeft = document.querySelector('.side-panel')!.getBoundingClientRect().left;
      return Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'))
        .filter((node) => node.getBoundingClientRect().right > panelLeft)
        .map((node) => node.dataset.id);
    });
    expect(behindPanel).toEqual([]);
    expect(await editor.page.locator('.react-flow__node').count()).toBe(8);
  }
  expect(editor.pageErrors).toEqual([]);
});

test('auto-layout brings a pipeline strung out on one line back into view', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(sevenNodes('seven-strung', (index) => ({ x: index * 420, y: 0 }))) });
  await editor.page.setViewportSize({ width: 1280, height: 720 });
  await editor.page.goto(`${editor.server.url}/?pipeline=seven-strung`);
  // Stored positions are kept as drawn: this one opens readable and anchored at its start, its end out of view.
  await editor.page.locator('.react-flow__node[data-id="script"]').waitFor();
  await editor.page.waitForFunction(() => !/matrix\(0\.9, 0, 0, 0\.9, 40, 40\)/.test(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform));
  await editor.page.waitForTimeout(400); // the fit animation
  const script = await editor.page.locator('.react-flow__node[data-id="script"]').boundingBox();
  const pane = await editor.page.locator('.react-flow').boundingBox();
  expect(script!.x + script!.width).toBeGreaterThan(pane!.x + pane!.width);
  await editor.page.getByTestId('layout-button').click();
  await editor.page.getByTestId('save-button').and(editor.page.locator(':enabled')).waitFor();
  const after = await settledView();
  await saveScreenshot(editor.page, 'layout-seven-strung-after');
  expect(after.outside).toEqual([]);
  expect(after.zoom).toBeGreaterThanOrEqual(0.8);
  expect(after.small).toEqual([]);
  expect(editor.pageErrors).toEqual([]);
});
