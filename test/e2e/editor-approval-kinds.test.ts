// Approvals of other kinds, in real headless Chromium against the real server (fresh SQLite file, the offline
// model): a node with `candidates: 3` and `approval: true` shows three distinct drafts side by side, each as
// the same read-only form, and choosing the second completes the run with exactly that draft; a review whose
// content checks flag the text (a passage copied from the producer's reference) shows the flags in words.
import type { Pipeline } from '@storyloom/engine';
import { axeViolations } from '../support/axe';
import { runFromEditor, waitForRun, type TestRunView } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';

jest.setTimeout(180_000);

const PIPELINE = {
  format: 'storyloom/pipeline@1',
  id: 'cast-candidates',
  name: 'Cast candidates',
  inputs: { premise: { type: 'string', required: true } },
  nodes: [
    { id: 'logline', type: 'logline' },
    { id: 'cast', type: 'characters', label: 'Characters', config: { count: 3 }, candidates: 3, approval: true },
  ],
  edges: [{ source: 'logline', target: 'cast' }],
};

const editor = editorSuite({ context: { bypassCSP: true } });
const { api } = editor;
const card = () => editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"]');

test('three candidates side by side; "Choose this one" on the second completes the run with it', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(PIPELINE) });
  const runId = await runFromEditor(editor.page, editor.server.url, PIPELINE.id, 'A beekeeper inherits a hive that hums the names of the dead.', card());
  const waiting = await api<TestRunView & { pending: Array<{ candidates?: any[] }> }>(`/api/runs/${runId}`);
  const candidates = waiting.pending[0].candidates!;
  expect(candidates).toHaveLength(3);
  expect(new Set(candidates.map((c) => JSON.stringify(c))).size).toBe(3);

  // Side by side: three columns on one row, each the same read-only character form of its own draft.
  const columns = card().locator('[data-testid="candidates"] .candidate');
  await columns.nth(2).waitFor();
  expect(await columns.count()).toBe(3);
  const boxes = await Promise.all([0, 1, 2].map((i) => columns.nth(i).boundingBox()));
  expect(boxes[1]!.y).toBeCloseTo(boxes[0]!.y, 0);
  expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x);
  expect(boxes[2]!.x).toBeGreaterThan(boxes[1]!.x);
  for (let i = 0; i < 3; i++) {
    const form = columns.nth(i).getByTestId('draft-form');
    expect(await form.locator('.character-card').count()).toBe(candidates[i].characters.length);
    const name = form.locator('[data-field="/characters/0/name"]');
    await expect(name.inputValue()).resolves.toBe(candidates[i].characters[0].name);
    expect(await name.getAttribute('readonly')).not.toBeNull();
    await columns.nth(i).getByTestId('choose-candidate').waitFor();
    await columns.nth(i).getByTestId('edit-candidate').waitFor();
  }
  // The single-draft buttons are not offered when there is a choice to make.
  expect(await card().getByTestId('approve-button').count()).toBe(0);
  await card().scrollIntoViewIfNeeded();
  await saveScreenshot(editor.page, 'candidates-1-side-by-side');
  expect(await axeViolations(editor.page)).toEqual([]);

  await columns.nth(1).getByTestId('choose-candidate').click();
  await card().waitFor({ state: 'detached' });
  const done = await waitForRun(api, runId, (r) => r.status === 'completed');
  expect(done.nodes.cast.output).toEqual(candidates[1]);
  await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor({ timeout: 30_000 });
});

test('"Edit, then choose" keeps the producer\'s edit of the candidate it was opened on', async () => {
  const started = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: PIPELINE.id, inputs: { premise: 'A ferry pilot keeps a ledger of passengers who never board.' } }) });
  await waitForRun(api, started.id, (r) => r.pending.length === 1);
  // Opened from the inbox, as a producer would find a run started elsewhere.
  await editor.page.waitForFunction(() => Number(document.querySelector('[data-testid="approvals-count"]')?.getAttribute('data-count')) >= 1, undefined, { timeout: 20_000 });
  await editor.page.getByTestId('approvals-count').click();
  await editor.page.locator(`[data-testid="approvals-inbox"] li[data-run-id="${started.id}"] button`).first().click();
  await card().waitFor({ timeout: 30_000 });
  const candidates = ((await api<any>(`/api/runs/${started.id}`)).pending[0].candidates as any[]);
  const third = card().locator('.candidate[data-candidate="2"]');
  await third.waitFor();
  await third.getByTestId('edit-candidate').click();
  await third.locator('[data-field="/characters/0/name"]').fill('Ines Galloway');
  await third.getByTestId('submit-choose-edited').click();
  await card().waitFor({ state: 'detached' });
  const done = await waitForRun(api, started.id, (r) => r.status === 'completed');
  expect(done.nodes.cast.output).toEqual({ ...candidates[2], characters: [{ ...candidates[2].characters[0], name: 'Ines Galloway' }, ...candidates[2].characters.slice(1)] });
});

const POLICY_PIPELINE: Pipeline = {
  format: 'storyloom/pipeline@1',
  id: 'policy-gate',
  name: 'Policy gate',
  inputs: { premise: { type: 'string', required: true } },
  nodes: [
    { id: 'logline', type: 'logline' },
    { id: 'cast', type: 'characters', config: { count: 2 } },
    { id: 'beats', type: 'outline', config: { scenes: 3 } },
    { id: 'lines', type: 'dialogue', config: { concurrency: 1 } },
    { id: 'notes', type: 'review', label: 'Script notes', config: { target: 'lines', maxRevisions: 0, threshold: 1 } },
  ],
  edges: [
    { source: 'logline', target: 'cast' },
    { source: 'cast', target: 'beats' },
    { source: 'beats', target: 'lines' },
    { source: 'lines', target: 'notes' },
  ],
};

test('a policy gate shows what the content checks found, where, in words, with approve and send back', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(POLICY_PIPELINE) });
  const premise = 'A cartographer maps an island that moves a little every night.';
  // The same premise writes the same text offline: a first run supplies the passage the second one "copies".
  const clean = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: POLICY_PIPELINE.id, inputs: { premise } }) });
  const first = await waitForRun(api, clean.id, (r) => r.status === 'completed');
  const passage = (first.nodes.lines.output.scenes as any[]).flatMap((scene) => scene.elements).map((e: any) => e.text).find((t: string) => t.split(/\s+/).length >= 14)!;
  expect(passage).toBeDefined();

  // The same pipeline with the verbatim check on, against a reference text that quotes that passage.
  const checked = structuredClone(POLICY_PIPELINE);
  checked.id = 'policy-gate-checked';
  checked.nodes[4].config!.policy = { categories: ['verbatim'], reference: `Our house style guide quotes: ${passage}` };
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(checked) });
  const flagged = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: checked.id, inputs: { premise } }) });
  const waiting = await waitForRun(api, flagged.id, (r) => r.pending.length === 1);
  const flags = waiting.pending[0].draft.policy as any[];
  expect(flags.map((f) => f.category)).toContain('verbatim');

  await editor.page.goto(`${editor.server.url}/?pipeline=${checked.id}`);
  await editor.page.waitForFunction(() => Number(document.querySelector('[data-testid="approvals-count"]')?.getAttribute('data-count')) >= 1, undefined, { timeout: 20_000 });
  await editor.page.getByTestId('approvals-count').click();
  await editor.page.locator(`[data-testid="approvals-inbox"] li[data-run-id="${flagged.id}"] button`).first().click();
  const gate = editor.page.locator('[data-testid="approval-panel"] [data-approval="notes"]');
  await gate.waitFor({ timeout: 30_000 });
  expect(await gate.getAttribute('data-kind')).toBe('policy');
  const shown = gate.locator('[data-testid="policy-flag"]');
  expect(await shown.count()).toBe(flags.length);
  const verbatim = gate.locator('[data-testid="policy-flag"][data-category="verbatim"]').first();
  await expect(verbatim.textContent()).resolves.toContain('Long passage copied from the reference texts');
  const flag = flags.find((f) => f.category === 'verbatim');
  await expect(verbatim.textContent()).resolves.toContain(flag.message);
  await expect(verbatim.textContent()).resolves.toContain(flag.scene ? `scene ${flag.scene}` : 'the whole text');
  // Approve or send back; a review's verdict is not edited by hand.
  await gate.getByTestId('approve-button').waitFor();
  await gate.getByTestId('reject-button').waitFor();
  expect(await gate.getByTestId('edit-button').count()).toBe(0);
  await gate.scrollIntoViewIfNeeded();
  await saveScreenshot(editor.page, 'candidates-2-policy-gate');
  expect(await axeViolations(editor.page)).toEqual([]);
  await gate.getByTestId('approve-button').click();
  const done = await waitForRun(api, flagged.id, (r) => r.status === 'completed');
  expect(done.nodes.notes.output.policy.length).toBe(flags.length);
  expect(editor.pageErrors).toEqual([]);
});
