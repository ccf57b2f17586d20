// A review's continuity in real headless Chromium against the real server (fresh SQLite file, the offline
// model): a review gate's approval card lists the continuity facts its text is held to (those read beside the
// scene cards and the written scenes), and says a single pass has no earlier notes to confirm; once the review
// carries a second pass (an edit at the gate gives it one), the run's output view shows which earlier notes that
// pass confirms resolved and which are still unresolved. axe finds nothing serious on the card.
import fs from 'node:fs';
import path from 'node:path';
import { axeViolations } from '../support/axe';
import { PIPELINES_DIR } from '../support/cli';
import { waitForRun } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';

jest.setTimeout(180_000);

const editor = editorSuite({ context: { colorScheme: 'dark', bypassCSP: true } });
const { api } = editor;

interface Fact {
  scene: number;
  kind: string;
  subject: string;
  text: string;
}
interface Note {
  scene: number | null;
  note: string;
}
type Outputs = Record<string, { output?: { continuity?: Fact[]; passes?: unknown[]; notes?: Note[] } & Record<string, unknown> }>;

/** The shipped short screenplay with its review as a gate. */
function reviewGate() {
  const shipped = JSON.parse(fs.readFileSync(path.join(PIPELINES_DIR, 'short-screenplay.json'), 'utf8'));
  return { ...shipped, id: 'review-gate', name: 'Review gate', nodes: shipped.nodes.map((node: { id: string }) => (node.id === 'notes' ? { ...node, approval: true } : node)) };
}

test('the review gate lists the continuity facts; a later pass shows the earlier notes resolved and unresolved', async () => {
  await api('/api/pipelines', { method: 'POST', body: JSON.stringify(reviewGate()) });
  const started = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: 'review-gate', inputs: { premise: 'A ferry pilot keeps a ledger of every passenger who never disembarks.' } }) });
  const waiting = (await waitForRun(api, started.id, (r) => r.status === 'waiting')) as unknown as { nodes: Outputs; pending: Array<{ nodeId: string; draft: Record<string, unknown> & { passes: Array<Record<string, unknown>> } }> };
  const draft = waiting.pending.find((p) => p.nodeId === 'notes')!.draft;
  // The facts the planning and the writing read, beside the scene cards and the written scenes.
  const facts = [...(waiting.nodes['lines'].output?.continuity ?? []), ...(waiting.nodes['scene-list'].output?.continuity ?? [])];
  const distinct = new Set(facts.map((f) => `${f.scene}|${f.kind}|${f.subject}|${f.text}`));
  expect(distinct.size).toBeGreaterThan(0);
  expect(draft.passes).toHaveLength(1);

  await editor.page.setViewportSize({ width: 1440, height: 900 });
  await editor.page.goto(`${editor.server.url}/?pipeline=review-gate`);
  const card = editor.page.locator('[data-testid="approval-panel"] [data-approval="notes"]');
  await card.getByTestId('review-continuity').waitFor({ timeout: 30_000 });
  const shown = card.getByTestId('continuity-fact');
  expect(await shown.count()).toBe(distinct.size);
  const first = [...facts].sort((a, b) => a.scene - b.scene)[0];
  await expect(card.locator(`[data-testid="continuity-fact"][data-scene="${first.scene}"]`).first().textContent()).resolves.toContain(`Scene ${first.scene}`);
  const allText = (await card.getByTestId('review-continuity').textContent())!;
  for (const fact of facts) expect(allText).toContain(fact.text);
  await expect(card.getByTestId('no-later-pass').textContent()).resolves.toContain('no earlier notes');
  await card.getByTestId('review-continuity').scrollIntoViewIfNeeded();
  await saveScreenshot(editor.page, 'review-continuity-card');
  expect(await axeViolations(editor.page)).toEqual([]);

  // A second pass at the gate: of the first pass's two notes, it confirms one fixed and the other still open.
  const fixed: Note = { scene: 1, note: 'Name the ferry before the storm hits.' };
  const open: Note = { scene: 2, note: 'The ledger entry contradicts the opening scene.' };
  const [pass] = draft.passes;
  const edited = {
    ...draft,
    notes: [open],
    revisions: 1,
    passes: [
      { ...pass, notes: [fixed, open] },
      { ...pass, notes: [open], resolved: [fixed], unresolved: [open] },
    ],
  };
  await api(`/api/runs/${started.id}/approvals/notes`, { method: 'POST', body: JSON.stringify({ decision: 'edit', output: edited }) });
  await waitForRun(api, started.id, (r) => r.status === 'completed');
  await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor({ timeout: 30_000 });
  await editor.page.getByTestId('output-node').selectOption('notes');
  const detail = editor.page.getByTestId('node-run-detail');
  await detail.getByTestId('review-pass').waitFor();
  await expect(detail.getByTestId('review-pass').locator('p').textContent()).resolves.toBe('Pass 2, after revision 1: 1 resolved, 1 still unresolved');
  await expect(detail.getByTestId('note-resolved').allTextContents()).resolves.toEqual([`✓ resolved Scene 1: ${fixed.note}`]);
  await expect(detail.getByTestId('note-unresolved').allTextContents()).resolves.toEqual([`○ still unresolved Scene 2: ${open.note}`]);
  expect(await detail.getByTestId('continuity-fact').count()).toBe(distinct.size);
  await detail.getByTestId('review-pass').scrollIntoViewIfNeeded();
  await saveScreenshot(editor.page, 'review-continuity-output');
  expect(editor.pageErrors).toEqual([]);
});
