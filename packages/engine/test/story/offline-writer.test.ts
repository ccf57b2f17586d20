// The offline writer is a placeholder and must read as a careful one: pronouns the premise gives are kept, the
// grammar of its stock phrases holds, lines do not repeat across a script, and its own review never passes it.
import { CastSchema, DialogueSchema, DraftSchema, OutlineSchema, ReviewSchema, SettingSchema } from '../../src/story/types';
import { NAME_PRONOUNS } from '../../src/story/vocabulary';
import { flawAsNoun, withPronouns } from '../../src/story/text';
import { planAndWrite, runNode } from '../support/story-chain';

const PREMISES = [
  'A beekeeper must save the hives her late father left her.',
  'A retired cartographer finds a map of a city that does not exist, and her missing brother is on it.',
  'A young fisherman loses his boat to his brother in a card game.',
  'Mara returns to her village to sell the farm her mother never let go.',
];

describe('the offline writer', () => {
  test.each(PREMISES)('keeps the premise’s pronouns for the protagonist and gives them a name that fits: %s', async (premise) => {
    const memory = await planAndWrite(premise, 6);
    const [hero] = CastSchema.parse(memory.characters).characters;
    const expected = / (her|she) /.test(` ${premise} `) ? 'she/her' : 'he/him';
    expect(hero.pronouns).toBe(expected);
    if (!premise.startsWith('Mara')) expect(NAME_PRONOUNS[hero.name]).toBe(expected);
    // Wants, flaws and voices are written for their own character's pronouns.
    for (const member of CastSchema.parse(memory.characters).characters) {
      if (member.pronouns !== 'they/them') expect(`${member.want} ${member.flaw} ${member.voice}`).not.toMatch(/\b(they|them|their|themselves)\b/);
    }
  });

  test.each(PREMISES)('the protagonist leans on the ally and is at odds with the antagonist, as their roles say: %s', async (premise) => {
    const cast = CastSchema.parse((await planAndWrite(premise, 6)).characters).characters;
    const named = (role: string) => cast.find((member) => member.role === role)!.name;
    expect(cast[0].relationships).toBe(`Leans on ${named('ally')}; at odds with ${named('antagonist')}.`);
  });

  test('a cast of two or one still gives its protagonist ties that fit', async () => {
    const premise = PREMISES[0];
    const memory = { logline: await runNode('logline', { premise }, {}) };
    const pair = CastSchema.parse(await runNode('characters', { premise }, memory, { config: { count: 2 } })).characters;
    expect(pair.map((member) => member.role)).toEqual(['protagonist', 'antagonist']);
    expect(pair[0].relationships).toBe(`At odds with ${pair[1].name}.`);
    const alone = CastSchema.parse(await runNode('characters', { premise }, memory, { config: { count: 1 } })).characters;
    expect(alone[0].relationships).toBe('Alone, and used to it.');
  });

  test('stock phrases stay grammatical: flaws as nouns, plural objects, other people’s pronouns', async () => {
    expect(flawAsNoun('Trusts no one, least of all themselves.')).toBe('trusting no one, least of all themselves');
    expect(withPronouns(flawAsNoun('Cannot leave a question alone.'), 'she/her')).toBe('not leaving a question alone');
    expect(flawAsNoun('Mistakes stubbornness for courage.')).toBe('mistaking stubbornness for courage');
    expect(withPronouns('to prove they were right all along', 'she/her')).toBe('to prove she was right all along');
    for (const premise of PREMISES) {
      const memory = await planAndWrite(premise, 9);
      const beats = OutlineSchema.parse(memory.outline).acts.flatMap((a) => a.beats.map((b) => b.summary)).join('\n');
      expect(beats).not.toMatch(/cost of (?:\w+s|cannot) /);
      const places = SettingSchema.parse(memory.setting).locations.map((l) => l.description).join('\n');
      expect(places).not.toMatch(/\b\w+[^s]s is kept\b/);
    }
  });

  test.each(PREMISES)('no line of dialogue repeats across a six-scene script: %s', async (premise) => {
    const memory = await planAndWrite(premise, 6);
    const lines = DialogueSchema.parse(memory.dialogue).scenes.flatMap((s) =>
      s.elements.flatMap((e) => (e.type === 'line' ? [e.text.replace(/^(Listen\.|Honestly\?|Wait\.|Please\.|Right\.|Hey\.) /, '')] : [])),
    );
    expect(lines.length).toBeGreaterThan(30);
    expect(new Set(lines).size).toBe(lines.length);
  });

  test('its text is marked a placeholder, and its own review says so and never passes it', async () => {
    const memory = await planAndWrite(PREMISES[0], 4);
    expect(DialogueSchema.parse(memory.dialogue).placeholder).toBe(true);
    expect(DraftSchema.parse(memory.draft).placeholder).toBe(true);
    for (const threshold of [1, 5, 7]) {
      const review = ReviewSchema.parse(
        await runNode('review', { premise: PREMISES[0] }, memory, {
          config: { target: 'lines', threshold },
          target: { nodeId: 'lines', type: 'dialogue', slot: 'dialogue', output: memory.dialogue, revise: async () => memory.dialogue },
        }),
      );
      expect(review.issues).toEqual([]);
      expect(review.passed).toBe(false);
      expect(review.rubric.comment).toMatch(/placeholder/i);
    }
  });
});
