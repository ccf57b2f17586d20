// Drafts a producer can read, edit and compare, in real headless Chromium against the real server (fresh
// SQLite file, the shipped pipelines, the offline model): approval cards as forms made for each story
// output, the raw-JSON typo case (the producer's text is kept and refused, never swapped for an older one),
// field problems in words, the reject → redraft loop with attempt, feedback and comparison, the inbox
// across runs, outputs as forms and two runs compared scene by scene.
import { waitForRun, type TestRunView } from '../support/editor-api';
import { editorSuite } from '../support/editor-suite';
import { saveScreenshot } from '../support/browser';

jest.setTimeout(180_000);

let firstRunId = '';

const PIPELINE = 'screenplay-with-approvals';
const PREMISE = 'A lighthouse keeper finds a message in a bottle addressed to her, dated tomorrow.';

const editor = editorSuite();
const { api } = editor;

/** Screenshots under test-artifacts/ (looked at while building; kept on failure). */
const shot = (name: string) => saveScreenshot(editor.page, `drafts-${name}`);

const card = (nodeId: string) => editor.page.locator(`[data-testid="approval-panel"] [data-approval="${nodeId}"]`);

test('a gate shows each draft as a form made for it, titled by the node label', async () => {
  await editor.page.goto(`${editor.server.url}/?pipeline=${PIPELINE}`);
  await editor.page.getByTestId('tab-run').click();
  await editor.page.getByTestId('input-premise').fill(PREMISE);
  await editor.page.getByTestId('run-button').click();
  await card('cast').waitFor({ timeout: 60_000 });
  await card('world').waitFor({ timeout: 60_000 });
  firstRunId = (await editor.page.getByTestId('watched-run').getAttribute('data-run-id'))!;
  const run = await api<TestRunView>(`/api/runs/${firstRunId}`);
  const cast = run.pending.find((p) => p.nodeId === 'cast')!.draft;

  // Titled by the producer's label, not the node id.
  await expect(card('cast').locator('.card-title').textContent()).resolves.toBe('Characters');
  await expect(card('world').locator('.card-title').textContent()).resolves.toBe('Setting');
  // The cast as character cards, one per character, each field addressed by its JSON pointer.
  const castForm = card('cast').getByTestId('draft-form');
  expect(await castForm.locator('.character-card').count()).toBe(cast.characters.length);
  await expect(castForm.locator('[data-field="/characters/0/name"]').inputValue()).resolves.toBe(cast.characters[0].name);
  await expect(castForm.locator('[data-field="/characters/1/flaw"]').inputValue()).resolves.toBe(cast.characters[1].flaw);
  // Read-only until the producer chooses Edit.
  expect(await castForm.locator('[data-field="/characters/0/name"]').getAttribute('readonly')).not.toBeNull();
  // The setting as the world plus location cards.
  const worldForm = card('world').getByTestId('draft-form');
  await worldForm.locator('[data-field="/world"]').waitFor();
  await worldForm.locator('[data-field="/locations/0/name"]').waitFor();
  await worldForm.locator('[data-field="/locations/0/interior"]').waitFor();
  await shot('1-approval-cards');
});

test('sending a draft back shows the next attempt with its number, the feedback given and what changed', async () => {
  const first = (await api<TestRunView>(`/api/runs/${firstRunId}`)).pending.find((p) => p.nodeId === 'cast')!.draft;
  const feedback = `${first.characters[0].name} should be older and warier; give her another name.`;
  await card('cast').getByTestId('reject-button').click();
  await card('cast').getByTestId('reject-feedback').fill(feedback);
  await card('cast').getByTestId('submit-reject').click();
  await editor.page.locator('[data-testid="approval-panel"] [data-approval="cast"][data-attempt="2"]').waitFor({ timeout: 60_000 });
  await expect(card('cast').getByTestId('attempt-number').textContent()).resolves.toBe('attempt 2');
  await expect(card('cast').getByTestId('feedback-given').textContent()).resolves.toContain(feedback);
  const diff = card('cast').getByTestId('diff-view');
  await diff.waitFor();
  expect(Number(await diff.getAttribute('data-changed'))).toBeGreaterThan(0);
  // The renamed protagonist: the old name removed, the new one added, character by character.
  await expect(diff.locator('.diff-section[data-status="removed"] h5').first().textContent()).resolves.toContain(first.characters[0].name);
  expect(await diff.locator('.diff-section[data-status="added"]').count()).toBeGreaterThan(0);
  await shot('2-redraft');
});

test('the typo case: a broken raw JSON keeps the producer\'s text, says what is wrong and cannot be submitted', async () => {
  const run = await api<TestRunView>(`/api/runs/${firstRunId}`);
  const cast = run.pending.find((p) => p.nodeId === 'cast')!.draft;
  const original = JSON.stringify(cast, null, 2);
  await card('cast').getByTestId('edit-button').click();
  await card('cast').getByTestId('raw-json-tab').click();
  const raw = card('cast').getByTestId('raw-json');
  await expect(raw.inputValue()).resolves.toBe(original);
  // Rename a character and delete a comma.
  const renamed = original.replace(`"name": "${cast.characters[0].name}",`, '"name": "Marguerite Vale"');
  expect(renamed).not.toBe(original);
  await raw.fill(renamed);
  await card('cast').getByTestId('json-error').waitFor();
  await expect(card('cast').getByTestId('json-error').textContent()).resolves.toMatch(/does not parse \(line \d+, column \d+/);
  await expect(raw.inputValue()).resolves.toBe(renamed);
  expect(await card('cast').getByTestId('submit-edit').isDisabled()).toBe(true);
  await expect(card('cast').getByTestId('submit-blocked').textContent()).resolves.toMatch(/does not parse/);
  // The form cannot show text that does not parse: it stays on the producer's text instead.
  expect(await card('cast').getByTestId('form-tab').isDisabled()).toBe(true);
  await shot('3-typo-refused');
  // Nothing was sent: the gate still waits on the original draft.
  expect((await api<TestRunView>(`/api/runs/${firstRunId}`)).pending.map((p) => p.nodeId)).toContain('cast');

  // Cancel, then Edit again: a fresh copy of the draft, not an older or half-typed text.
  await card('cast').getByRole('button', { name: 'Cancel' }).click();
  await card('cast').getByTestId('edit-button').click();
  await card('cast').getByTestId('raw-json-tab').click();
  await expect(card('cast').getByTestId('raw-json').inputValue()).resolves.toBe(original);
  // Fix it the right way in the raw JSON: the form follows.
  await card('cast').getByTestId('raw-json').fill(original.replace(`"name": "${cast.characters[0].name}"`, '"name": "Marguerite Vale"'));
  await card('cast').getByTestId('form-tab').click();
  await expect(card('cast').locator('[data-field="/characters/0/name"]').inputValue()).resolves.toBe('Marguerite Vale');
});

test('field problems read in the producer\'s words, in place, and an edit made in the form is what the run keeps', async () => {
  const castCard = card('cast');
  const second = castCard.locator('[data-field="/characters/1/name"]');
  await second.fill('');
  await castCard.getByText('Character 2: the name is empty: write something here').first().waitFor();
  expect(await second.getAttribute('aria-invalid')).toBe('true');
  expect(await castCard.getByTestId('submit-edit').isDisabled()).toBe(true);
  await expect(castCard.getByTestId('submit-blocked').textContent()).resolves.toMatch(/1 problem to fix/);
  await shot('4-field-problem');
  await second.fill('Tomas Reyes');
  await castCard.locator('[data-field="/characters/2/want"]').fill('To leave the island before the winter storms.');
  expect(await castCard.getByTestId('submit-edit').isEnabled()).toBe(true);
  await castCard.getByTestId('submit-edit').click();
  await castCard.waitFor({ state: 'detached' });
  const run = await waitForRun(api, firstRunId, (r) => r.nodes.cast?.status === 'completed');
  expect(run.nodes.cast.output.characters[0].name).toBe('Marguerite Vale');
  expect(run.nodes.cast.output.characters[1].name).toBe('Tomas Reyes');
  expect(run.nodes.cast.output.characters[2].want).toBe('To leave the island before the winter storms.');

  await card('world').getByTestId('approve-button').click();
  // The outline gate next: numbered beats by act.
  await card('beats').waitFor({ timeout: 60_000 });
  const outline = card('beats').getByTestId('draft-form');
  expect(await outline.locator('.draft-act').count()).toBe(3);
  await expect(outline.locator('.act-number').first().textContent()).resolves.toBe('Act I');
  await outline.locator('[data-field="/acts/0/beats/0/summary"]').waitFor();
  await shot('5-outline');
});

test('the inbox lists approvals across runs, including runs started from the API, with a count in the top bar', async () => {
  const started = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: PIPELINE, inputs: { premise: 'A retired safecracker is hired to break into her own vault.' } }) });
  await waitForRun(api, started.id, (r) => r.pending.length >= 2);
  // The count follows the server (polled), with no reload.
  await editor.page.waitForFunction(() => Number(document.querySelector('[data-testid="approvals-count"]')?.getAttribute('data-count')) >= 3, undefined, { timeout: 20_000 });
  await editor.page.getByTestId('approvals-count').click();
  const inbox = editor.page.getByTestId('approvals-inbox');
  const entry = inbox.locator(`li[data-run-id="${started.id}"][data-node-id="cast"]`);
  await entry.waitFor();
  await expect(entry.locator('.inbox-title').textContent()).resolves.toBe('Characters');
  await expect(entry.textContent()).resolves.toContain('retired safecracker');
  await expect(inbox.locator(`li[data-run-id="${firstRunId}"][data-node-id="beats"] .inbox-title`).textContent()).resolves.toBe('Outline');
  await expect(editor.page.getByTestId(`waiting-${PIPELINE}`).textContent()).resolves.toMatch(/^\d+ waiting$/);
  await shot('6-inbox');
  await entry.locator('button').click();
  await editor.page.waitForFunction((id) => document.querySelector('[data-testid="watched-run"]')?.getAttribute('data-run-id') === id, started.id);
  await card('cast').waitFor();
  // Back to the first run, and finish it.
  await editor.page.getByTestId('approvals-count').click();
  await inbox.locator(`li[data-run-id="${firstRunId}"] button`).first().click();
  await editor.page.waitForFunction((id) => document.querySelector('[data-testid="watched-run"]')?.getAttribute('data-run-id') === id, firstRunId);
  await card('beats').getByTestId('approve-button').click();
  await editor.page.locator('[data-testid="watched-run"][data-run-status="completed"]').waitFor({ timeout: 90_000 });
});

test('a finished run\'s outputs read as forms; dialogue as screenplay pages per scene', async () => {
  await editor.page.getByTestId('output-node').selectOption('lines');
  const detail = editor.page.getByTestId('node-run-detail');
  const run = await api<TestRunView>(`/api/runs/${firstRunId}`);
  const scenes = run.nodes.lines.output.scenes;
  await detail.locator('.screenplay-page-form').first().waitFor();
  expect(await detail.locator('.screenplay-page-form').count()).toBe(scenes.length);
  await expect(detail.locator('[data-field="/scenes/0/heading"]').inputValue()).resolves.toBe(scenes[0].heading);
  await shot('7-dialogue-pages');
  await editor.page.getByTestId('output-node').selectOption('scene-list');
  await detail.locator('.scene-table .scene-row').nth(1).waitFor();
  expect(await detail.locator('.scene-table .scene-row:not(.head)').count()).toBe(run.nodes['scene-list'].output.scenes.length);
  await shot('8-scene-cards');
  // In the narrow panel the cards stack; widened, they read as a table with its header and no sideways scroll.
  expect(await detail.locator('.scene-row.head').isVisible()).toBe(false);
  const noSidewaysScroll = () => detail.locator('.scene-table').evaluate((table) => table.scrollWidth <= table.clientWidth + 1);
  // Widened in this window, the panel stops short of the table's width: the cards still stack, with no sideways scroll.
  await editor.page.getByTestId('panel-expand').click();
  await editor.page.waitForFunction(() => document.querySelector('.side-panel')!.getBoundingClientRect().width > 700);
  expect(await detail.locator('.scene-row.head').isVisible()).toBe(false);
  expect(await noSidewaysScroll()).toBe(true);
  await editor.page.getByTestId('panel-expand').click();
  // Widen stops where the canvas keeps its least width: a window with room for both gives the panel 1080 px.
  await editor.page.setViewportSize({ width: 1920, height: 1080 });
  await editor.page.getByTestId('panel-expand').click();
  await detail.locator('.scene-row.head').waitFor();
  expect(await noSidewaysScroll()).toBe(true);
  await shot('8-scene-table');
  await editor.page.getByTestId('panel-expand').click();
  await editor.page.setViewportSize({ width: 1440, height: 900 });
});

test('two runs compared scene by scene, with word-level changes', async () => {
  // A second complete run with fewer scenes gives scenes changed, added and removed.
  const other = await api<{ id: string }>('/api/runs', { method: 'POST', body: JSON.stringify({ pipelineId: PIPELINE, inputs: { premise: PREMISE, scenes: 4 }, autoApprove: true }) });
  await waitForRun(api, other.id, (r) => r.status === 'completed');
  await editor.page.getByRole('button', { name: 'Refresh' }).click();
  const history = editor.page.locator('.run-history li');
  await editor.page.locator(`.run-history li[data-run-id="${other.id}"]`).waitFor();
  await editor.page.locator(`.run-history li[data-run-id="${firstRunId}"] input[type="checkbox"]`).check();
  await editor.page.locator(`.run-history li[data-run-id="${other.id}"] input[type="checkbox"]`).check();
  const diff = editor.page.getByTestId('diff-view');
  await diff.waitFor();
  await editor.page.getByTestId('diff-node').selectOption('lines');
  await expect(editor.page.getByTestId('diff-summary').textContent()).resolves.toMatch(/\d+ of \d+ scenes differ/);
  expect(await diff.locator('.diff-section').count()).toBeGreaterThanOrEqual(4);
  expect(await diff.locator('ins').count()).toBeGreaterThan(0);
  await editor.page.getByTestId('diff-node').selectOption('script');
  await expect(editor.page.getByTestId('diff-summary').textContent()).resolves.toMatch(/scenes differ/);
  await editor.page.getByTestId('diff-node').selectOption('cast');
  await expect(editor.page.getByTestId('diff-summary').textContent()).resolves.toMatch(/characters? differ|No changes/);
  await diff.scrollIntoViewIfNeeded();
  await shot('9-run-diff');
  expect(await history.count()).toBeGreaterThanOrEqual(2);
  expect(editor.pageErrors).toEqual([]);
});
