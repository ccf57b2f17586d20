// The editor end to end, in real headless Chromium against the real server (fresh SQLite file, offline model):
// draw a pipeline from the palette, watch validation react, save, run, decide two parallel approvals, read
// the screenplay, and re-run from a node with upstream outputs reused.
import fs from 'node:fs';
import { PIPELINES_DIR } from '../support/cli';
import { exampleScreenplay } from '../support/example-screenplay';
import { saveScreenshot, startBlipProxy, startEditorServer, type EditorServer } from '../support/browser';
import { editorSuite } from '../support/editor-suite';

jest.setTimeout(120_000);

// A server that starts empty, and a fresh page for each test.
const editor = editorSuite({ shipped: false, pagePerTest: true, context: { acceptDownloads: true }, pageTimeoutMs: 15_000 });

/** Clean-ups registered by the running test. */
const afterThis: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanUp of afterThis.splice(0)) await cleanUp();
});

/** Runs one step of a scenario; on failure saves a screenshot under test-artifacts/ named after it. */
async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const file = await saveScreenshot(editor.page, `editor-${expect.getState().currentTestName ?? 'test'}-${name}`);
    (error as Error).message += `\n(step '${name}'; screenshot: ${file})`;
    throw error;
  }
}

/** With STORYLOOM_E2E_SCREENSHOTS=1, saves the UI at key moments to test-artifacts/ for a person to look at. */
const snap = async (name: string) => {
  if (process.env.STORYLOOM_E2E_SCREENSHOTS) await saveScreenshot(editor.page, `editor-tour-${name}`);
};

const node = (id: string) => editor.page.locator(`.react-flow__node[data-id="${id}"]`);
const statusOf = (id: string) =>
  editor.page.evaluate((nodeId) => {
    // The editor puts the status on React Flow's node element itself, as `data-status`, for tests to read.
    const element = document.querySelector(`.react-flow__node[data-id="${nodeId}"][data-status]`);
    return element?.getAttribute('data-status') ?? null;
  }, id);

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${editor.server.url}${path}`, init);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Drags a palette entry onto the canvas at a point relative to the canvas' top-left corner. */
async function dropFromPalette(type: string, x: number, y: number): Promise<void> {
  await editor.page.getByTestId(`palette-${type}`).dragTo(editor.page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

/** Opens the editor on a new pipeline with a Logline and a node of `type` beside it, unconnected (so `id` has a problem). */
async function drawBesideLogline(type: string, id: string): Promise<void> {
  await editor.page.goto(editor.server.url);
  await editor.page.getByTestId('palette-logline').waitFor();
  await dropFromPalette('logline', 110, 120);
  await dropFromPalette(type, 400, 120);
  await node(id).locator('.story-node.has-problems').waitFor();
}

/** Connects two nodes by dragging from the source's output handle to the target's input handle. */
async function connect(source: string, target: string): Promise<void> {
  const from = await node(source).locator('.react-flow__handle.source').boundingBox();
  const to = await node(target).locator('.react-flow__handle.target').boundingBox();
  if (!from || !to) throw new Error(`handles of ${source} → ${target} not found`);
  await editor.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await editor.page.mouse.down();
  await editor.page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await editor.page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 4 });
  await editor.page.mouse.up();
  await editor.page.locator(`.react-flow__edge[data-id="${source}->${target}"], [data-testid="rf__edge-${source}->${target}"]`).first().waitFor({ state: 'attached' });
}

async function waitForStatus(ids: string[], status: string, timeoutMs = 30_000): Promise<void> {
  await editor.page.waitForFunction(
    ({ ids, status }) =>
      ids.every((id) => document.querySelector(`.react-flow__node[data-id="${id}"][data-status]`)?.getAttribute('data-status') === status),
    { ids, status },
    { timeout: timeoutMs },
  );
}

const problemCount = async () => Number(await editor.page.getByTestId('problems').getAttribute('data-count'));

interface RunView {
  id: string;
  status: string;
  parentRunId?: string;
  nodes: Record<string, { status: string; output?: any }>;
}

test('draw, validate, save, run with two parallel approvals, read the screenplay and re-run from an edited node', async () => {
  // The page talks to the server through a proxy whose connections the test can cut.
  const proxy = await startBlipProxy(editor.server.url);
  afterThis.push(() => proxy.close());
  await step('open', async () => {
    await editor.page.goto(proxy.url);
    await editor.page.getByTestId('palette-logline').waitFor();
  });

  await step('draw', async () => {
    // Dropped roughly (the canvas is ~800 px wide here); auto-layout tidies them after connecting.
    await dropFromPalette('logline', 110, 120);
    await dropFromPalette('characters', 360, 60);
    await dropFromPalette('setting', 360, 220);
    await dropFromPalette('outline', 610, 120);
    await dropFromPalette('dialogue', 110, 340);
    for (const id of ['logline', 'cast', 'setting', 'outline', 'dialogue']) await node(id).waitFor();
    // The first node stays where it was dropped: opening the empty document leaves no fit pending to move the view.
    await editor.page.waitForTimeout(400); // longer than a fit's delay and animation
    const pane = (await editor.page.locator('.react-flow__pane').boundingBox())!;
    const logline = (await node('logline').boundingBox())!;
    const [x, y] = [pane.x + 110, pane.y + 120];
    expect(x >= logline.x && x <= logline.x + logline.width && y >= logline.y && y <= logline.y + logline.height).toBe(true);
  });

  await step('validation error appears', async () => {
    // The dialogue node reads scenes/outline and characters, which nothing upstream writes yet.
    await node('dialogue').locator('.story-node.has-problems').waitFor();
    await expect(node('dialogue').locator('.story-node-problem').textContent()).resolves.toMatch(/^⚠ Dialogue 'dialogue' needs the \w+ that \w+ '\w+' writes — connect it before 'dialogue'/);
    expect(await problemCount()).toBeGreaterThan(0);
    await snap('1-invalid');
    await expect(editor.page.getByTestId('problems').textContent()).resolves.toMatch(/dialogue/);
    // Run is refused with the reason while the pipeline is invalid.
    await editor.page.getByTestId('tab-run').click();
    await expect(editor.page.getByTestId('run-button').isDisabled()).resolves.toBe(true);
    await expect(editor.page.getByTestId('run-blocked').textContent()).resolves.toMatch(/problem/);
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
    await editor.page.getByTestId('layout-button').click();
    // Layered, in reading order: each node sits right of the nodes it reads from, or on a row below them (a
    // layout wider than the canvas wraps onto rows).
    await editor.page.waitForFunction(() => {
      const box = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`)!.getBoundingClientRect();
      const after = (a: string, b: string) => box(b).top > box(a).bottom || (box(a).right < box(b).left && box(b).top < box(a).bottom);
      return after('logline', 'cast') && after('logline', 'setting') && after('cast', 'outline') && after('setting', 'outline') && after('outline', 'dialogue') && after('dialogue', 'export');
    });
    await editor.page.waitForTimeout(300); // the fit-view animation
  });

  await step('validation error goes away', async () => {
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '0');
    expect(await node('dialogue').locator('.story-node.has-problems').count()).toBe(0);
    await expect(editor.page.getByTestId('problems').textContent()).resolves.toMatch(/Valid pipeline/);
  });

  await step('approvals and pipeline settings', async () => {
    for (const id of ['cast', 'setting']) {
      await node(id).click();
      await editor.page.getByTestId('approval-toggle').check();
      await node(id).locator('.approval-mark').waitFor();
    }
    await editor.page.getByTestId('tab-pipeline').click();
    await editor.page.getByTestId('pipeline-id').fill('e2e-story');
    await editor.page.getByTestId('pipeline-id').press('Enter');
    await editor.page.getByTestId('pipeline-name').fill('E2E story');
  });

  await step('save', async () => {
    await editor.page.getByTestId('save-button').click();
    await editor.page.getByTestId('toast-success').waitFor();
    const stored = await api<{ version: number; pipeline: { nodes: Array<{ id: string; approval?: boolean }>; edges: unknown[] } }>('/api/pipelines/e2e-story');
    expect(stored.version).toBe(1);
    expect(stored.pipeline.nodes.map((n) => n.id).sort()).toEqual(['cast', 'dialogue', 'export', 'logline', 'outline', 'setting']);
    expect(stored.pipeline.nodes.filter((n) => n.approval).map((n) => n.id).sort()).toEqual(['cast', 'setting']);
    expect(stored.pipeline.edges).toHaveLength(6);
    await snap('2-saved');
    expect(new URL(editor.page.url()).searchParams.get('pipeline')).toBe('e2e-story');
  });

  let firstRunId = '';
  await step('run until two approvals are pending', async () => {
    await editor.page.getByTestId('tab-run').click();
    await editor.page.getByTestId('input-premise').fill('A lighthouse keeper finds a message in a bottle addressed to her, dated tomorrow.');
    await editor.page.getByTestId('run-button').click();
    await editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]').waitFor({ timeout: 30_000 });
    await editor.page.locator('[data-testid="approval-panel"] [data-approval="setting"]').waitFor({ timeout: 30_000 });
    expect(await statusOf('cast')).toBe('waiting');
    expect(await statusOf('setting')).toBe('waiting');
    expect(await statusOf('logline')).toBe('completed');
    await snap('3-approvals');
    firstRunId = (await editor.page.getByTestId('watched-run').getAttribute('data-run-id'))!;
  });

  await step('the event stream survives a network blip', async () => {
    await editor.page.locator('.conn.on').waitFor();
    proxy.cutConnections();
    // Reconnects, resuming after the last event it saw, and stays live for the decisions that follow.
    const resumed = () => proxy.requestHeads.filter((head) => /\/events/.test(head) && /last-event-id: \d+/i.test(head));
    for (let i = 0; i < 50 && resumed().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(resumed().length).toBeGreaterThan(0);
    await editor.page.locator('.conn.on').waitFor();
  });

  await step('a reload picks the waiting run up again', async () => {
    await editor.page.reload();
    await editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]').waitFor();
    await editor.page.locator('[data-testid="approval-panel"] [data-approval="setting"]').waitFor();
    expect(await editor.page.getByTestId('watched-run').getAttribute('data-run-id')).toBe(firstRunId);
    expect(await statusOf('logline')).toBe('completed');
  });

  await step('reject with feedback asks again', async () => {
    type Pending = Array<{ runId: string; nodeId: string; requestedAt: string }>;
    const requestedAt = async () => (await api<Pending>('/api/approvals')).find((p) => p.runId === firstRunId && p.nodeId === 'setting')?.requestedAt;
    const before = await requestedAt();
    expect(before).toBeDefined();
    const settingCard = editor.page.locator('[data-testid="approval-panel"] [data-approval="setting"]');
    await settingCard.getByTestId('reject-button').click();
    await settingCard.getByTestId('reject-feedback').fill('Make the town colder: set it in the first week of winter.');
    await settingCard.getByTestId('submit-reject').click();
    for (let i = 0; i < 100; i++) {
      const now = await requestedAt();
      if (now && now !== before) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await requestedAt()).not.toBe(before);
    await settingCard.getByTestId('approve-button').waitFor();
  });

  await step('edit one approval, approve the other', async () => {
    const castCard = editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]');
    await castCard.getByTestId('edit-button').click();
    await castCard.getByTestId('raw-json-tab').click();
    const rawJson = castCard.getByTestId('raw-json');
    const draft = JSON.parse(await rawJson.inputValue());
    const list = Array.isArray(draft) ? draft : draft.characters;
    list[0].description = 'Edited in the browser: a keeper of lights and of secrets.';
    await rawJson.fill(JSON.stringify(draft, null, 2));
    await snap('4-editing');
    await castCard.getByTestId('submit-edit').click();
    await castCard.waitFor({ state: 'detached' });
    await editor.page.locator('[data-testid="approval-panel"] [data-approval="setting"]').getByTestId('approve-button').click();
  });

  await step('every node completes', async () => {
    await waitForStatus(['logline', 'cast', 'setting', 'outline', 'dialogue', 'export'], 'completed', 60_000);
    await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor();
    const run = await api<RunView>(`/api/runs/${firstRunId}`);
    expect(run.status).toBe('completed');
    expect(JSON.stringify(run.nodes.cast.output)).toContain('Edited in the browser');
    await snap('5-completed');
  });

  await step('read the Fountain output', async () => {
    await editor.page.getByTestId('open-output').click();
    const screenplay = editor.page.getByTestId('screenplay');
    await screenplay.waitFor();
    expect(await screenplay.locator('.sp-scene').count()).toBeGreaterThan(0);
    expect(await screenplay.locator('.sp-character').count()).toBeGreaterThan(0);
    expect(await screenplay.locator('.sp-dialogue').count()).toBeGreaterThan(0);
    await expect(screenplay.locator('.sp-scene').first().textContent()).resolves.toMatch(/^(INT|EXT)/);
    const heading = await screenplay.locator('.sp-scene').first().evaluate((el) => getComputedStyle(el).fontWeight);
    expect(Number(heading)).toBeGreaterThanOrEqual(700);
    await snap('6-screenplay');
    await editor.page.getByTestId('output-tab-markdown').click();
    await editor.page.locator('.document-text.prose').waitFor();
    const download = editor.page.waitForEvent('download');
    await editor.page.getByTestId('download-fdx').click();
    expect((await download).suggestedFilename()).toMatch(/\.fdx$/);
    // The PDF is the server's rendering, downloaded as bytes.
    const pdfDownload = editor.page.waitForEvent('download');
    await editor.page.getByTestId('download-pdf').click();
    const pdf = await pdfDownload;
    expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
    const pdfBytes = fs.readFileSync((await pdf.path())!);
    expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfBytes.length).toBeGreaterThan(2000);
    await editor.page.keyboard.press('Escape');
    await screenplay.waitFor({ state: 'detached' });
  });

  await step('re-run from a node after editing its output', async () => {
    await node('outline').click();
    await editor.page.getByTestId('tab-run').click();
    await editor.page.getByTestId('edit-output').click();
    await editor.page.getByTestId('edit-draft').getByTestId('raw-json-tab').click();
    const rawJson = editor.page.getByTestId('edit-draft').getByTestId('raw-json');
    const outline = JSON.parse(await rawJson.inputValue());
    // Rewrite the first beat's summary, wherever the outline keeps it.
    const firstBeat = (function find(value: any): any {
      if (value && typeof value === 'object') {
        if (typeof value.summary === 'string') return value;
        for (const child of Object.values(value)) {
          const found = find(child);
          if (found) return found;
        }
      }
      return undefined;
    })(outline);
    firstBeat.summary = 'Edited beat: the bottle washes up twice.';
    await rawJson.fill(JSON.stringify(outline, null, 2));
    await editor.page.getByTestId('rerun-button').click();
    await editor.page.waitForFunction((first) => {
      const id = document.querySelector('[data-testid="watched-run"]')?.getAttribute('data-run-id');
      return id && id !== first;
    }, firstRunId);
    await waitForStatus(['logline', 'cast', 'setting'], 'reused');
    await waitForStatus(['outline', 'dialogue', 'export'], 'completed', 60_000);
    const rerunId = (await editor.page.getByTestId('watched-run').getAttribute('data-run-id'))!;
    const rerun = await api<RunView>(`/api/runs/${rerunId}`);
    expect(rerun.parentRunId).toBe(firstRunId);
    await snap('7-rerun');
    expect(rerun.nodes.logline.status).toBe('reused');
    expect(JSON.stringify(rerun.nodes.cast.output)).toContain('Edited in the browser');
    expect(JSON.stringify(rerun.nodes.outline.output)).toContain('Edited beat: the bottle washes up twice.');
  });

  expect(editor.pageErrors).toEqual([]);
});

// The example screenplay pipeline (shared fixture), made quick to run here: no approval on `cast`, 3 scenes, a review
// that passes on its first look.
const EXAMPLE_PIPELINE = exampleScreenplay({ approval: false, cast: 3, scenes: 3, threshold: 1 });

async function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${editor.server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const nodeIds = () => editor.page.$$eval('.react-flow__node', (elements) => elements.map((e) => e.getAttribute('data-id')).sort());

test('editing tools: shortcuts, templates, versions and conflicts, files, duplicate and delete', async () => {
  await postJson('/api/pipelines', EXAMPLE_PIPELINE);
  editor.page.on('dialog', (dialog) => void dialog.accept());

  await step('open by URL', async () => {
    await editor.page.goto(`${editor.server.url}/?pipeline=short-screenplay`);
    await editor.page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 6);
    // Nodes without positions are laid out left to right on open.
    await editor.page.waitForFunction(() => {
      const x = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`)!.getBoundingClientRect().x;
      return x('logline') < x('cast') && x('cast') < x('beats') && x('lines') < x('script');
    });
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '0');
  });

  await step('inspector shows config from the schema', async () => {
    await node('beats').click();
    await expect(editor.page.getByTestId('config-scenes').inputValue()).resolves.toBe('{{inputs.scenes}}');
    await node('cast').click();
    await editor.page.getByTestId('config-count').fill('99');
    // Out of the schema's range: validation flags the node and the field.
    await node('cast').locator('.story-node.has-problems').waitFor();
    await editor.page.locator('.field-error [data-testid="config-count"]').waitFor();
    await editor.page.getByTestId('config-count').fill('5');
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '0');
  });

  await step('copy, paste, undo, redo', async () => {
    await node('cast').click();
    await editor.page.keyboard.press('Control+c');
    await editor.page.keyboard.press('Control+v');
    await node('cast-2').waitFor();
    // Two unrelated nodes now write 'characters'.
    expect(await problemCount()).toBeGreaterThan(0);
    await editor.page.keyboard.press('Control+z');
    await node('cast-2').waitFor({ state: 'detached' });
    await editor.page.keyboard.press('Control+Shift+z');
    await node('cast-2').waitFor();
    await editor.page.keyboard.press('Control+z');
    await node('cast-2').waitFor({ state: 'detached' });
    expect(await problemCount()).toBe(0);
  });

  await step('delete and undo', async () => {
    await node('notes').click();
    await editor.page.keyboard.press('Delete');
    await node('notes').waitFor({ state: 'detached' });
    expect(await editor.page.locator('.react-flow__edge').count()).toBe(5); // its two edges went with it
    await editor.page.keyboard.press('Control+z');
    await node('notes').waitFor();
    // Edges are drawn once their nodes are measured, a frame after the nodes.
    await editor.page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 7);
  });

  await step('prompt template suggests upstream slots and inputs', async () => {
    await editor.page.getByTestId('palette-prompt').click();
    await node('prompt').waitFor();
    await connect('beats', 'prompt');
    const template = editor.page.getByTestId('config-template');
    await template.click();
    await template.pressSequentially('Summarise {{');
    const suggestions = await editor.page.locator('.template-suggest').textContent();
    await snap('8-template');
    expect(suggestions).toContain('{{outline}}');
    expect(suggestions).toContain('{{characters}}');
    expect(suggestions).toContain('{{inputs.premise}}');
    expect(suggestions).not.toContain('{{dialogue}}'); // downstream of nothing here: not visible to this node
    await editor.page.locator('.template-suggest button', { hasText: '{{outline}}' }).click();
    await expect(template.inputValue()).resolves.toBe('Summarise {{outline}}');
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '0');
  });

  await step('save a version, then lose a race with a clear message', async () => {
    await editor.page.getByTestId('save-button').click();
    await editor.page.getByTestId('toast-success').filter({ hasText: 'version 2' }).waitFor();
    const latest = await api<{ version: number; pipeline: typeof EXAMPLE_PIPELINE }>('/api/pipelines/short-screenplay');
    expect(latest.version).toBe(2);
    expect(latest.pipeline.nodes.map((n) => n.id)).toContain('prompt');
    // Someone else saves version 3 meanwhile.
    const response = await fetch(`${editor.server.url}/api/pipelines/short-screenplay`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ baseVersion: 2, pipeline: { ...latest.pipeline, name: 'Renamed elsewhere' } }),
    });
    expect(response.status).toBe(200);
    await editor.page.getByTestId('tab-pipeline').click();
    await editor.page.getByTestId('pipeline-name').fill('Renamed here');
    await editor.page.getByTestId('save-button').click();
    await expect(editor.page.getByTestId('toast-error').textContent()).resolves.toMatch(/newer version/);
    expect((await api<{ version: number }>('/api/pipelines/short-screenplay')).version).toBe(3);
  });

  await step('version history and restore', async () => {
    await editor.page.getByText('History', { exact: true }).click();
    const list = editor.page.getByTestId('version-history');
    await list.locator('li').nth(2).waitFor();
    await snap('9-versions');
    await list.locator('li', { hasText: 'v1' }).getByRole('button', { name: 'Restore' }).click();
    await node('prompt').waitFor({ state: 'detached' });
    expect(await nodeIds()).toEqual(['beats', 'cast', 'lines', 'logline', 'notes', 'script']);
  });

  await step('export and import files', async () => {
    const download = editor.page.waitForEvent('download');
    await editor.page.getByRole('button', { name: 'Export', exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('short-screenplay.pipeline.json');
    const exported = JSON.parse(require('node:fs').readFileSync(await file.path(), 'utf8'));
    expect(exported.nodes.map((n: { id: string }) => n.id)).toEqual(['logline', 'cast', 'beats', 'lines', 'notes', 'script']);
    expect(exported.nodes.every((n: { position?: unknown }) => n.position)).toBe(true);

    const imported = { ...EXAMPLE_PIPELINE, id: 'imported-one', name: 'Imported one', nodes: EXAMPLE_PIPELINE.nodes.slice(0, 2), edges: EXAMPLE_PIPELINE.edges.slice(0, 1) };
    await editor.page.getByTestId('import-file').setInputFiles({ name: 'imported.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(imported)) });
    await editor.page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 2);
    await editor.page.getByTestId('save-button').click();
    await editor.page.locator('.pipeline-list li', { hasText: 'imported-one' }).waitFor();
    expect((await api<{ version: number }>('/api/pipelines/imported-one')).version).toBe(1);
  });

  await step('duplicate and delete', async () => {
    await editor.page.getByRole('button', { name: 'Duplicate' }).click();
    await editor.page.waitForFunction(() => new URL(location.href).searchParams.get('pipeline') === 'imported-one-copy');
    expect((await api<{ pipeline: { name: string } }>('/api/pipelines/imported-one-copy')).pipeline.name).toBe('Imported one (copy)');
    await editor.page.getByRole('button', { name: 'Delete imported-one-copy' }).click();
    await editor.page.locator('.pipeline-list li', { hasText: 'imported-one-copy' }).waitFor({ state: 'detached' });
    expect((await fetch(`${editor.server.url}/api/pipelines/imported-one-copy`)).status).toBe(404);
  });

  expect(editor.pageErrors).toEqual([]);
});

test('a missing input with a node that writes it offers the edge as one click, which undo takes back', async () => {
  await step('draw two unconnected nodes', () => drawBesideLogline('characters', 'cast'));

  await step('apply the fix from the problems list', async () => {
    expect(await problemCount()).toBe(1);
    const fix = editor.page.getByTestId('problems').getByTestId('problem-fix');
    await expect(fix.textContent()).resolves.toBe('Connect logline → cast');
    await fix.click();
    await editor.page.locator('[data-testid="rf__edge-logline->cast"]').waitFor({ state: 'attached' });
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '0');
    await snap('fix-applied');
  });

  await step('undo takes the edge back', async () => {
    await editor.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await editor.page.keyboard.press('Control+z');
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '1');
    expect(await editor.page.locator('[data-testid="rf__edge-logline->cast"]').count()).toBe(0);
    // The inspector of the node with the problem offers the same fix.
    await node('cast').click();
    await editor.page.getByTestId('tab-inspector').click();
    await expect(editor.page.locator('.inspector').getByTestId('problem-fix').textContent()).resolves.toBe('Connect logline → cast');
  });
  expect(editor.pageErrors).toEqual([]);
});

test('an invalid pipeline is saved on the server as a draft version, cannot run, and history marks it', async () => {
  await step('draw an invalid pipeline', async () => {
    await drawBesideLogline('dialogue', 'dialogue');
    await editor.page.getByTestId('tab-pipeline').click();
    await editor.page.getByTestId('pipeline-id').fill('e2e-draft');
    await editor.page.getByTestId('pipeline-id').press('Enter');
  });

  await step('save as a draft', async () => {
    const problems = await problemCount();
    expect(problems).toBeGreaterThan(0);
    await expect(editor.page.getByTestId('save-button').textContent()).resolves.toBe('Save draft');
    await editor.page.getByTestId('save-button').click();
    const notice = editor.page.getByTestId('toast-info').filter({ hasText: 'as a draft' });
    await expect(notice.textContent()).resolves.toContain(`Saved v1 as a draft — ${problems} problems; fix them to run`);
    const stored = await api<{ version: number; valid: boolean; errors: unknown[]; pipeline: { nodes: unknown[] } }>('/api/pipelines/e2e-draft');
    expect(stored).toEqual(expect.objectContaining({ version: 1, valid: false }));
    expect(stored.errors).toHaveLength(problems);
    expect(stored.pipeline.nodes).toHaveLength(2);
    await editor.page.locator('.pipeline-list li', { hasText: 'e2e-draft' }).locator('.draft-mark').waitFor();
    await editor.page.getByTestId('tab-run').click();
    await editor.page.getByTestId('input-premise').fill('A cartographer maps a town that moves at night.');
    await expect(editor.page.getByTestId('run-button').isDisabled()).resolves.toBe(true);
    await expect(editor.page.getByTestId('run-blocked').textContent()).resolves.toMatch(/problem/);
  });

  await step('fix it, save a valid version, run is allowed', async () => {
    await node('dialogue').click();
    await editor.page.keyboard.press('Delete');
    await editor.page.waitForFunction(() => document.querySelector('[data-testid="problems"]')?.getAttribute('data-count') === '0');
    await editor.page.getByTestId('save-button').click();
    await editor.page.getByTestId('toast-success').filter({ hasText: 'version 2' }).waitFor();
    expect((await api<{ valid: boolean }>('/api/pipelines/e2e-draft')).valid).toBe(true);
    await editor.page.getByTestId('tab-run').click();
    await editor.page.getByTestId('input-premise').fill('A cartographer maps a town that moves at night.');
    await expect(editor.page.getByTestId('run-button').isDisabled()).resolves.toBe(false);
  });

  await step('version history shows which versions are drafts', async () => {
    await editor.page.getByText('History', { exact: true }).click();
    await editor.page.getByTestId('version-history').locator('li').nth(1).waitFor();
    await expect(editor.page.getByTestId('draft-mark-v1').textContent()).resolves.toMatch(/draft · \d+ problems/);
    expect(await editor.page.getByTestId('draft-mark-v2').count()).toBe(0);
  });

  expect(editor.pageErrors).toEqual([]);
});

describe('with API keys', () => {
  const KEY = 'e2e-secret-key';
  let keyed: EditorServer;

  beforeAll(async () => {
    keyed = await startEditorServer({ STORYLOOM_API_KEYS: `other-key,${KEY}` });
  });
  afterAll(async () => {
    await keyed?.close();
  });

  test('asks for a key on 401, then runs over authenticated SSE and diffs two runs', async () => {
    const auth = { Authorization: `Bearer ${KEY}` };
    const pipeline = {
      ...EXAMPLE_PIPELINE,
      id: 'keyed',
      nodes: EXAMPLE_PIPELINE.nodes.filter((n) => n.id !== 'notes'),
      edges: [...EXAMPLE_PIPELINE.edges.filter((e) => e.source !== 'notes' && e.target !== 'notes'), { source: 'lines', target: 'script' }],
    };
    const created = await fetch(`${keyed.url}/api/pipelines`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth }, body: JSON.stringify(pipeline) });
    expect(created.status).toBe(201);

    await step('key prompt', async () => {
      await editor.page.goto(`${keyed.url}/?pipeline=keyed`);
      await editor.page.getByTestId('api-key-dialog').waitFor();
      await editor.page.getByTestId('api-key-input').fill('wrong-key');
      await editor.page.getByTestId('api-key-input').press('Enter');
      // A wrong key is refused and asked for again.
      await editor.page.getByTestId('api-key-dialog').waitFor();
      await editor.page.getByTestId('api-key-input').fill(KEY);
      await editor.page.getByTestId('api-key-input').press('Enter');
      await editor.page.getByTestId('palette-logline').waitFor();
      await editor.page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 5);
      expect(await editor.page.evaluate(() => localStorage.getItem('storyloom.apiKey'))).toBe(KEY);
    });

    const runWith = async (premise: string) => {
      await editor.page.getByTestId('tab-run').click();
      await editor.page.getByTestId('input-premise').fill(premise);
      const before = await editor.page.getByTestId('watched-run').getAttribute('data-run-id').catch(() => null);
      await editor.page.getByTestId('run-button').click();
      await editor.page.waitForFunction(
        (previous) => {
          const element = document.querySelector('[data-testid="watched-run"]');
          return element && element.getAttribute('data-run-id') !== previous && element.getAttribute('data-run-status') === 'completed';
        },
        before,
        { timeout: 60_000 },
      );
      // Statuses arrived over the event stream, which needs the key too.
      await waitForStatus(['logline', 'cast', 'beats', 'lines', 'script'], 'completed');
    };

    await step('two runs', async () => {
      await runWith('A violinist loses her hearing the week before the final audition.');
      await runWith('Two rival bakers are snowed in together on the night before a wedding.');
    });

    await step('diff', async () => {
      const history = editor.page.locator('.run-history li');
      await history.nth(1).waitFor();
      await history.nth(0).locator('input[type="checkbox"]').check();
      await history.nth(1).locator('input[type="checkbox"]').check();
      const diff = editor.page.getByTestId('diff-view');
      await diff.waitFor();
      await editor.page.getByTestId('diff-node').selectOption('logline');
      await diff.locator('del').first().waitFor();
      await diff.locator('ins').first().waitFor();
      await expect(diff.textContent()).resolves.toMatch(/violinist/i);
      await snap('10-diff');
    });

    expect(editor.pageErrors).toEqual([]);
  });
});

test('a fresh server offers the shipped pipelines, and a long one opens readable, not shrunk to fit', async () => {
  // This server seeds its new database from the repository's pipelines/ (the other tests' servers start empty).
  const shippedServer = await startEditorServer({ STORYLOOM_PIPELINES_DIR: PIPELINES_DIR });
  afterThis.push(() => shippedServer.close());

  await step('empty state lists the shipped pipelines', async () => {
    await editor.page.goto(shippedServer.url);
    await editor.page.getByText('Short screenplay', { exact: true }).waitFor();
    for (const id of ['custom-prompt', 'screenplay-with-approvals', 'short-screenplay', 'short-story']) {
      await editor.page.locator('.sidebar').getByText(id, { exact: false }).first().waitFor();
    }
    expect(await editor.page.getByText('No saved pipelines yet').count()).toBe(0);
  });

  for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
    await step(`short-screenplay at ${viewport.width}x${viewport.height}`, async () => {
      await editor.page.setViewportSize(viewport);
      await editor.page.goto(`${shippedServer.url}/?pipeline=short-screenplay`);
      await editor.page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 8);
      // The opening fit has run once the viewport moved off React Flow's default (0.9 at 40,40).
      await editor.page.waitForFunction(() => !/matrix\(0\.9, 0, 0, 0\.9, 40, 40\)/.test(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform));
      await editor.page.waitForTimeout(300); // the fit animation
      const view = await editor.page.evaluate(() => {
        const zoom = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
        const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
        const nodes = [...document.querySelectorAll('.react-flow__node')].map((element) => element.getBoundingClientRect());
        const inside = nodes.filter((r) => r.left >= pane.left && r.right <= pane.right && r.top >= pane.top && r.bottom <= pane.bottom).length;
        const titleHeight = document.querySelector('.react-flow__node[data-id="beats"] .story-node-type')!.getBoundingClientRect().height;
        return { zoom, inside, total: nodes.length, titleHeight };
      });
      await snap(`shipped-${viewport.width}`);
      expect(view.zoom).toBeGreaterThanOrEqual(0.65);
      expect(view.titleHeight).toBeGreaterThanOrEqual(10);
      // The shipped layout (two rows) fits whole at these sizes.
      expect(view.inside).toBe(view.total);
    });
  }
  expect(editor.pageErrors).toEqual([]);
});
