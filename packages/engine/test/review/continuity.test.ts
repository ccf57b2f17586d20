// Continuity facts: deaths a card or the text states are facts from then on; writers of later scenes are told,
// the judge sees every fact, and a dead character who speaks again is an error the review sends back.
import { deathsIn } from '../../src/story/continuity';
import { CastSchema, DialogueSchema, ReviewSchema, SceneListSchema } from '../../src/story/types';
import { directCaller } from '../support/direct-caller';
import { PREMISES, planAndWrite, runNode } from '../support/story-chain';

const premise = PREMISES[0];

test('a death is read from a plain statement, not from a hedge or a rumour', () => {
  const cast = [{ name: 'Greta Lind' }, { name: 'Tobias' }] as Parameters<typeof deathsIn>[1];
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
  expect(third).toContain(`- ${victim} is dead from scene 2 on.`);
  expect(writer.calls.find((c) => c.label === 'scene-2')!.prompt).not.toContain('is dead from scene');

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
