// Runs stored before the story bible grew richer still read. A finished run on a real SQLite file has its
// cast, outline, scene cards and review rewritten in the older shapes through the store API (character sheets
// without pronouns/age/ties/sample line, beats without characters or place, cards without act/goal/…/sub-beats,
// review notes as strings); then the run view, the export and a rerun all work from it, while the current
// output schemas (what a model's output is checked against) still refuse those shapes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStoreSet } from '../../src/store';
import { getNodeType } from '../../src/nodes/catalogue';
import { outputSchemaOf } from '../../src/nodes/types';
import type { Pipeline } from '../../src/pipeline/schema';
import { tempEngines, type TempEngines } from '../runner/support/helpers';

jest.setTimeout(120_000);

const PREMISE = 'A retired safecracker is hired to open the vault that ruined her career.';
const shortScreenplay = (): Pipeline => JSON.parse(readFileSync(join(__dirname, '../../../../pipelines/short-screenplay.json'), 'utf8'));

/** An output as the older version wrote it: only these keys of each entry. */
const only = (value: any, keys: string[]) => Object.fromEntries(keys.filter((key) => key in value).map((key) => [key, value[key]]));
const OLD_SHAPES: Record<string, (output: any) => unknown> = {
  characters: (cast) => ({ characters: cast.characters.map((c: any) => only(c, ['name', 'role', 'description', 'want', 'flaw', 'voice'])) }),
  outline: (outline) => ({ acts: outline.acts.map((act: any) => ({ title: act.title, beats: act.beats.map((b: any) => only(b, ['number', 'summary'])) })) }),
  scenes: (list) => ({ scenes: list.scenes.map((card: any) => only(card, ['number', 'heading', 'location', 'characters', 'beat', 'summary'])) }),
  review: (review) => ({
    ...review,
    notes: review.notes.map((n: any) => n.note),
    rubric: only(review.rubric, ['coherence', 'relevance', 'interest', 'score', 'comment']),
    passes: review.passes.map((pass: any) => ({ ...pass, notes: pass.notes.map((n: any) => n.note) })),
  }),
};

let temp: TempEngines;
beforeEach(() => {
  temp = tempEngines();
});
afterEach(() => temp.cleanup());

/** Runs the pipeline to the end, then stores its older-shaped outputs in place (the engine closed meanwhile). */
async function oldRun(pipeline: Pipeline): Promise<{ runId: string; old: Record<string, unknown> }> {
  const engine = await temp.open();
  const started = await engine.startRun({ pipeline, inputs: { premise: PREMISE, scenes: 4 }, autoApprove: true });
  const done = await engine.drive(started.id);
  expect(done.status).toBe('completed');
  await engine.close();

  const stores = openSqliteStoreSet(temp.dbPath);
  const old: Record<string, unknown> = {};
  for (const node of pipeline.nodes) {
    const downgrade = OLD_SHAPES[getNodeType(node.type)!.writes ?? ''];
    if (!downgrade) continue;
    const stored = stores.outputs.get(started.id, node.id, 1)!;
    old[node.id] = downgrade(stored.output);
    // The current schema refuses the older shape: a model answering so would be sent back.
    expect(outputSchemaOf(getNodeType(node.type)!, node.config ?? {}).safeParse(old[node.id]).success).toBe(false);
    stores.outputs.put({ ...stored, output: old[node.id] });
  }
  stores.db.close();
  return { runId: started.id, old };
}

test('an outline-only screenplay stored in the older shapes shows, exports and reruns', async () => {
  const pipeline = JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/example-screenplay.json'), 'utf8')) as Pipeline;
  const { runId, old } = await oldRun(pipeline);
  const engine = await temp.open();

  // The run view shows today's shape, filled from what the older output says.
  const view = (await engine.getRun(runId))!;
  const oldCast = (old.cast as any).characters;
  const cast = view.nodes.cast.output as any;
  expect(cast.characters.map((c: any) => c.name)).toEqual(oldCast.map((c: any) => c.name));
  expect(cast.characters[0]).toMatchObject({ ...oldCast[0], age: 'not recorded', relationships: 'not recorded', sampleLine: 'not recorded' });
  expect(cast.characters[0].pronouns).toMatch(/^(she\/her|he\/him|they\/them)$/);
  const beats = (view.nodes.beats.output as any).acts.flatMap((act: any) => act.beats);
  expect(beats[0]).toMatchObject({ characters: [], location: 'not recorded' });
  expect((view.nodes.notes.output as any).notes.every((n: any) => n.scene === null && typeof n.note === 'string')).toBe(true);
  // Nothing was rewritten in the store: the file still holds the older shape.
  const stores = openSqliteStoreSet(temp.dbPath);
  expect(stores.outputs.get(runId, 'cast', 1)!.output).toEqual(old.cast);
  stores.db.close();

  const fountain = await engine.exportRun(runId, 'fountain');
  expect(fountain.content).toContain(oldCast[0].name.toUpperCase());

  // A rerun of the dialogue reads the older outline: one scene per stored beat, not "no scenes to write".
  const child = await engine.rerun(runId, { from: 'lines' });
  const rerun = await engine.drive(child.id);
  expect(rerun.error ?? null).toBeNull();
  expect(rerun.status).toBe('completed');
  expect(rerun.nodes.cast.status).toBe('reused');
  expect((rerun.nodes.lines.output as any).scenes).toHaveLength(beats.length);
  const cues = new Set((rerun.nodes.lines.output as any).scenes.flatMap((s: any) => s.elements.filter((e: any) => e.type === 'line').map((e: any) => e.character)));
  expect(oldCast.some((c: any) => cues.has(c.name.toUpperCase()) || cues.has(c.name))).toBe(true);
  expect((await engine.exportRun(child.id, 'fountain')).content).toMatch(/^(INT|EXT)\./m);
});

test('older scene cards still drive a rerun of the dialogue, keeping their places and people', async () => {
  const { runId, old } = await oldRun(shortScreenplay());
  const engine = await temp.open();
  const cards = (old['scene-list'] as any).scenes;
  const view = (await engine.getRun(runId))!;
  const shown = (view.nodes['scene-list'].output as any).scenes;
  expect(shown[0]).toMatchObject({ ...cards[0], act: 1, goal: 'not recorded', outcome: cards[0].summary });
  expect(shown[0].subBeats[0]).toBe(cards[0].beat);
  expect(shown[0].subBeats).toHaveLength(2);
  expect(shown[shown.length - 1].act).toBe(3);

  const child = await engine.rerun(runId, { from: 'lines' });
  const rerun = await engine.drive(child.id);
  expect(rerun.status).toBe('completed');
  const scenes = (rerun.nodes.lines.output as any).scenes;
  expect(scenes.map((s: any) => s.heading)).toEqual(cards.map((c: any) => c.heading));
  const exported = await engine.exportRun(child.id, 'fdx');
  expect(exported.content).toContain(cards[0].heading);
});
