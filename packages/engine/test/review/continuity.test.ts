// Continuity facts: what a card or the text states (deaths, departures, objects, injuries, knowledge, ties, the clock)
// are facts from then on; writers of later scenes are told the ones about their people and things, the judge sees
// every fact, and the checks flag a dead or departed character speaking, a destroyed object used, time running back.
import { deathsIn, factsInText, sceneTimes, sourceKey, timeMarker } from '../../src/story/continuity';
import { runChecks } from '../../src/review/checks';
import { reviewDocumentOf } from '../../src/review/text';
import { CastSchema, DialogueSchema, DraftSchema, ReviewSchema, SceneListSchema, type Dialogue } from '../../src/story/types';
import type { JsonCall, ModelCaller } from '../../src/nodes/types';
import { directCaller } from '../support/direct-caller';
import { person } from '../support/people';
import { PREMISES, planAndWrite, runNode } from '../support/story-chain';

const premise = PREMISES[0];

test('a death is read from a plain statement, not from a hedge or a rumour', () => {
  const cast = [person('Greta Lind'), person('Tobias')];
  expect(deathsIn('Greta drowns in the harbour before dawn.', cast)).toEqual(['Greta Lind']);
  expect(deathsIn('Everyone thought Greta drowned. Tobias almost dies on the rocks.', cast)).toEqual([]);
  expect(deathsIn('Tobias and Greta argue until the tide turns.', cast)).toEqual([]);
});

test('a character who died in scene 2 is a fact for later writers and the judge; speaking in scene 4 is an error', async () => {
  const memory = await planAndWrite(premise, 5);
  const cards = SceneListSchema.parse(memory.scenes).scenes;
  const victim = cards[1].characters[cards[1].characters.length - 1];
  cards[1] = { ...cards[1], outcome: `${victim} is killed on the harbour wall.` };
  const planned = { ...memory, scenes: { scenes: cards } };

  const writer = directCaller();
  await runNode('dialogue', { premise }, planned, { model: writer });
  const third = writer.calls.find((c) => c.label === 'scene-3')!.prompt;
  expect(third).toContain(`- ${victim} died in scene 2: ${victim} cannot appear or speak.`);
  expect(writer.calls.find((c) => c.label === 'scene-2')!.prompt).not.toContain('cannot appear or speak');

  // Scene 4 gives the dead a line.
  const dialogue = DialogueSchema.parse(memory.dialogue);
  const haunted = structuredClone(dialogue);
  haunted.scenes[3].elements.push({ type: 'line', character: victim, parenthetical: null, text: 'I am still here, you know.' });
  const judge = directCaller();
  const review = ReviewSchema.parse(
    await runNode('review', { premise }, planned, {
      config: { target: 'lines', maxRevisions: 0 },
      model: judge,
      target: { nodeId: 'lines', type: 'dialogue', slot: 'dialogue', output: haunted, revise: async () => haunted },
    }),
  );
  expect(review.issues).toContainEqual(expect.objectContaining({ code: 'continuity_break', severity: 'error', sceneNumber: 4 }));
  expect(review.notes).toContainEqual({ scene: 4, note: expect.stringMatching(new RegExp(`${victim} speaks, but died in scene 2`)) });
  expect(judge.calls[0].prompt).toContain(`- after scene 2: ${victim} is dead from scene 2 on.`);
  // The cast is as planned: the victim really is a cast member.
  expect(CastSchema.parse(memory.characters).characters.map((c) => c.name)).toContain(victim);
});

describe('continuity facts read from plain text', () => {
  const cast = [person('Greta Lind'), person('Tobias')];

  test('objects destroyed and handed over, injuries, knowledge, ties, departures for good and the clock', () => {
    const facts = factsInText(
      2,
      'The next morning, Greta burns the letter in the stove. Tobias breaks his wrist on the ladder. Greta learns the ferry sailed empty. ' +
        'Tobias hands the brass key to Greta. Greta and Tobias quarrel on the stairs. Tobias leaves the island for good.',
      cast,
    );
    const kinds = (kind: string) => facts.filter((f) => f.kind === kind);
    expect(kinds('object')).toEqual([
      { scene: 2, kind: 'object', subject: 'the letter', text: expect.stringMatching(/^The letter is destroyed/) },
      { scene: 2, kind: 'object', subject: 'the brass key', text: 'Greta Lind has the brass key.' },
    ]);
    expect(kinds('time')).toEqual([{ scene: 2, kind: 'time', subject: 'time', text: 'The next morning.' }]);
    expect(kinds('injury').map((f) => f.subject)).toEqual(['Tobias']);
    expect(kinds('knowledge').map((f) => f.subject)).toEqual(['Greta Lind']);
    expect(kinds('relationship').map((f) => f.subject)).toEqual(['Greta Lind and Tobias']);
    expect(kinds('absence')).toEqual([{ scene: 2, kind: 'absence', subject: 'Tobias', text: 'Tobias is gone for good from scene 2 on.' }]);
  });

  test('hedged statements settle nothing', () => {
    expect(factsInText(3, 'Greta almost burns the letter. If Tobias breaks his wrist, nobody will know. Tobias wants to leave for good.', cast)).toEqual([]);
  });

  test('the clock: days move forward, a time card stepping back is a step back, backstory is not, a flashback is exempt', () => {
    const time = (scene: number, text: string) => ({ scene, kind: 'time' as const, subject: 'time', text });
    const days = sceneTimes([time(2, 'The next morning.'), time(3, 'Two days later.'), time(4, 'The day before.'), time(5, 'Flashback.')], [1, 2, 3, 4, 5]);
    expect(days.map((d) => [d.scene, d.day, d.latest, d.flashback])).toEqual([
      [1, 1, 1, false],
      [2, 2, 1, false],
      [3, 4, 2, false],
      [4, 3, 4, false],
      [5, 4, 4, true],
    ]);
    // Backstory in running narration is no step back; a scene that opens on one is.
    expect(timeMarker('She has not slept since the night before.', false)).toBeUndefined();
    expect(timeMarker('The night before. Greta waits.', false)).toMatchObject({ delta: -1 });
    expect(timeMarker('The night before, she had packed. Yesterday’s paper lies open.', false)).toBeUndefined();
    expect(timeMarker('TWO DAYS EARLIER', false)).toMatchObject({ delta: -2 });
  });
});

describe('continuity checks on a written screenplay', () => {
  async function reviewOf(edit: (scenes: Dialogue['scenes']) => void) {
    const memory = await planAndWrite(premise, 5);
    const dialogue = DialogueSchema.parse(memory.dialogue);
    const changed = structuredClone(dialogue);
    edit(changed.scenes);
    const issues = runChecks({
      document: reviewDocumentOf(changed)!,
      cast: CastSchema.parse(memory.characters).characters,
      knownWords: new Set(),
      cards: SceneListSchema.parse(memory.scenes).scenes,
    });
    return { issues: issues.filter((i) => i.code.startsWith('continuity')) };
  }

  test('an object destroyed in scene 2 and read in scene 4 is an error on scene 4 only; its ashes are not', async () => {
    const { issues } = await reviewOf((scenes) => {
      scenes[1].elements.push({ type: 'action', text: 'She feeds the letter to the stove. Then she burns the map as well.' });
      scenes[3].elements.push({ type: 'action', text: 'She unfolds the map on the table and reads it aloud.' });
      scenes[4].elements.push({ type: 'action', text: 'She holds what is left of the map: a charred corner. She takes a map of the coast from the drawer.' });
    });
    expect(issues).toEqual([expect.objectContaining({ code: 'continuity_object', severity: 'error', sceneNumber: 4, message: expect.stringMatching(/the map is used .*destroyed in scene 2/) })]);
  });

  test('a scene set the day before the one it follows is an error unless its heading says FLASHBACK', async () => {
    const { issues } = await reviewOf((scenes) => {
      scenes[1].elements.unshift({ type: 'action', text: 'The next morning. Rain on the skylight.' });
      scenes[2].elements.unshift({ type: 'action', text: 'The night before. The house is dark.' });
    });
    expect(issues).toEqual([expect.objectContaining({ code: 'continuity_time', severity: 'error', sceneNumber: 3 })]);
    const flashback = await reviewOf((scenes) => {
      scenes[1].elements.unshift({ type: 'action', text: 'The next morning. Rain on the skylight.' });
      scenes[2].heading = `${scenes[2].heading} (FLASHBACK)`;
      scenes[2].elements.unshift({ type: 'action', text: 'The night before. The house is dark.' });
    });
    expect(flashback.issues).toEqual([]);
  });

  test('a character gone for good who speaks later is an error; an untouched script has no continuity finding', async () => {
    const clean = await reviewOf(() => undefined);
    expect(clean.issues).toEqual([]);
    const { issues } = await reviewOf((scenes) => {
      // Someone who speaks in scene 2, not in scenes 3 and 4.
      const speakers = (n: number) => scenes[n].elements.flatMap((e) => (e.type === 'line' ? [e.character] : []));
      const name = speakers(1).find((speaker) => !speakers(2).includes(speaker) && !speakers(3).includes(speaker))!;
      scenes[1].elements.push({ type: 'action', text: `${name[0]}${name.slice(1).toLowerCase()} boards the last ferry and leaves the island for good.` });
      scenes[4].elements.push({ type: 'line', character: name, parenthetical: null, text: 'I came back for the map.' });
    });
    expect(issues).toEqual([expect.objectContaining({ code: 'continuity_break', sceneNumber: 5, message: expect.stringMatching(/left for good in scene 2/) })]);
  });
});

test('a scene writer sees the facts about its own people and things from earlier scenes, and on a rewrite those read from the written text', async () => {
  const memory = await planAndWrite(premise, 5);
  // Scene 3's card is about a photograph, whatever the offline planner wrote, so a fact about it concerns that scene.
  const cards = SceneListSchema.parse(memory.scenes).scenes.map((card) =>
    card.number === 3 ? { ...card, beat: `${card.characters[0]} goes looking for the torn photograph.` } : card,
  );
  const [hero] = cards[2].characters;
  const stranger = CastSchema.parse(memory.characters).characters.map((c) => c.name).find((name) => !cards[2].characters.includes(name))!;
  const planned = {
    ...memory,
    scenes: {
      scenes: cards,
      continuity: [
        { scene: 1, kind: 'knowledge', subject: hero, text: `${hero} knows the map was drawn in 1911.` },
        { scene: 1, kind: 'injury', subject: stranger, text: `${stranger} has a cracked rib.` },
        { scene: 2, kind: 'time', subject: 'time', text: 'Three days later.' },
        { scene: 4, kind: 'knowledge', subject: hero, text: `${hero} learns who drew the map.` },
      ],
      continuityKey: sourceKey(cards),
    },
  };
  const writer = directCaller();
  const first = DialogueSchema.parse(await runNode('dialogue', { premise }, planned, { model: writer }));
  const third = writer.calls.find((c) => c.label === 'scene-3')!.prompt;
  expect(third).toContain(`- Scene 1: ${hero} knows the map was drawn in 1911.`);
  expect(third).toContain('- Story clock: scene 2 is set three days later; scene 3 comes after it');
  expect(third).not.toContain('cracked rib');
  expect(third).not.toContain('learns who drew the map');
  // Offline, the facts of each written scene are the heuristics' reading of its own text, heading included.
  const cast = CastSchema.parse(memory.characters).characters;
  const narrationOf = (scene: Dialogue['scenes'][number]) => `${scene.heading}\n${reviewDocumentOf({ scenes: [scene] })!.scenes[0].narration}`;
  expect(first.continuity).toEqual(first.scenes.flatMap((scene) => factsInText(scene.number, narrationOf(scene), cast)));
  // Cards a person edited after the facts were read no longer carry them: only the heuristics' reading counts.
  const edited = { ...planned, scenes: { ...planned.scenes, scenes: cards.map((c) => (c.number === 1 ? { ...c, outcome: 'Nothing is settled.' } : c)) } };
  const afterEdit = directCaller();
  await runNode('dialogue', { premise }, edited, { model: afterEdit });
  expect(afterEdit.calls.find((c) => c.label === 'scene-3')!.prompt).not.toContain('drawn in 1911');

  // A rewrite of scene 3 sees what scene 2's text established, read after the first pass: the thing scene 3's
  // card is about was burned.
  const burned = { scene: 2, kind: 'object' as const, subject: 'the torn photograph', text: 'The torn photograph is destroyed (burned in the stove).' };
  const previous = { ...first, continuity: [...(first.continuity ?? []), burned].sort((a, b) => a.scene - b.scene) };
  const rewriter = directCaller();
  const rewritten = DialogueSchema.parse(
    await runNode('dialogue', { premise }, planned, { model: rewriter, previous, revisionNotes: [{ scene: 3, note: 'Sharper ending.' }] }),
  );
  expect(rewriter.calls.map((c) => c.label)).toEqual(['scene-3']);
  expect(rewriter.calls[0].prompt).toContain(`- Scene 2: ${burned.text}`);
  // A previous version whose text was edited after its facts were read does not carry them.
  const editedText = { ...previous, scenes: previous.scenes.map((scene) => (scene.number === 2 ? { ...scene, heading: `${scene.heading} (EDITED)` } : scene)) };
  const afterTextEdit = directCaller();
  await runNode('dialogue', { premise }, planned, { model: afterTextEdit, previous: editedText, revisionNotes: [{ scene: 3, note: 'Sharper ending.' }] });
  expect(afterTextEdit.calls[0].prompt).not.toContain(burned.text);
  // Kept scenes keep their text and the facts read from it.
  expect(rewritten.scenes.filter((s) => s.number !== 3)).toEqual(first.scenes.filter((s) => s.number !== 3));
  expect(rewritten.continuity?.filter((f) => f.scene !== 3)).toEqual(previous.continuity.filter((f) => f.scene !== 3));
});

test('without a scene list, the first draft reads the facts of the cards built from the outline itself, once, and keeps them', async () => {
  const memory = await planAndWrite(premise, 4);
  const { scenes: _cards, ...outlineOnly } = memory;
  const hero = CastSchema.parse(memory.characters).characters[0].name;
  const offline = directCaller();
  const labels: string[] = [];
  const prompts = new Map<string, string>();
  const online: ModelCaller = {
    offline: false,
    text: (call) => (labels.push(call.label ?? ''), prompts.set(call.label ?? '', call.prompt), offline.text(call)),
    json: async <T,>(call: JsonCall<T>) => {
      labels.push(call.label ?? '');
      if (call.label === 'continuity') return call.schema.parse({ facts: [{ scene: 1, kind: 'knowledge', subject: hero, text: `${hero} knows the safe's code.` }] });
      return call.schema.parse({ facts: [] });
    },
  };
  const draft = DraftSchema.parse(await runNode('prose', { premise }, outlineOnly, { model: online }));
  expect(labels.filter((l) => l === 'continuity')).toHaveLength(1);
  expect(labels[0]).toBe('continuity');
  expect(draft.continuity).toContainEqual({ scene: 1, kind: 'knowledge', subject: hero, text: `${hero} knows the safe's code.` });
  // The protagonist is on every card built from this outline: scene 2's writer is told.
  expect(prompts.get('scene-2')).toContain(`- Scene 1: ${hero} knows the safe's code.`);
  expect(prompts.get('scene-1')).not.toContain("safe's code");
  const second = await runNode('prose', { premise }, outlineOnly, { model: directCaller() });
  expect(DraftSchema.parse(second).continuity).not.toContainEqual(expect.objectContaining({ text: `${hero} knows the safe's code.` }));
  // A rewrite does not read the plan again; it still knows the fact from the first draft.
  labels.length = 0;
  await runNode('prose', { premise }, outlineOnly, { model: online, previous: draft, revisionNotes: [{ scene: 2, note: 'Slower.' }] });
  expect(labels).toEqual(['scene-2', 'facts-2']);
});
