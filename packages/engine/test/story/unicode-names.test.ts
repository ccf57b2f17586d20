// Cast names beyond ASCII capitals (accents, Vietnamese, Icelandic) and with punctuation (&, <, digits,
// apostrophes) must survive the whole chain: the writer uses them, the parser reads their cues, the
// Fountain export carries them and the review does not call them misspellings.
import { Fountain } from 'fountain-js';
import { renderDocument } from '../../src/export';
import { runChecks } from '../../src/review/checks';
import { reviewDocumentOf } from '../../src/review/text';
import { protagonistName } from '../../src/story/premise';
import { parseScreenplayScene } from '../../src/story/screenplay';
import { DialogueSchema, ReviewSchema, type Character } from '../../src/story/types';
import { PREMISES, runNode } from '../support/story-chain';

const NAMES = ['Zoë', 'José', 'Nguyễn Anh', 'Ólafur', 'Mara & <Co>', "D'Arcy 2", 'Élodie'];

function castOf(names: readonly string[]): Character[] {
  return names.map((name, i) => ({
    name,
    role: i === 0 ? 'protagonist' : 'supporting',
    description: `${name} is part of the story`,
    want: 'to find the truth',
    flaw: 'stubborn',
    voice: 'dry',
    pronouns: 'they/them',
    age: '30',
    relationships: 'knows everyone',
    sampleLine: 'Fine.',
  }));
}

describe('non-ASCII and punctuated character names', () => {
  test('the screenplay parser reads their cues, with extensions and in NAME: form', () => {
    const cast = castOf(NAMES);
    const text = [
      'INT. KITCHEN - NIGHT',
      '',
      'ZOË',
      'Where were you?',
      '',
      'JOSÉ (V.O.)',
      'Out.',
      '',
      'NGUYỄN ANH',
      '(quietly)',
      'Both of you, stop.',
      '',
      "ÓLAFUR (CONT'D)",
      'Fine.',
      '',
      'MARA & <CO>',
      'We sell everything.',
      '',
      "D'ARCY 2",
      'Not this.',
      '',
      'Élodie: Enough.',
    ].join('\n');
    const scene = parseScreenplayScene(text, 1, cast);
    const lines = scene.elements.filter((e) => e.type === 'line');
    expect(lines.map((l) => (l.type === 'line' ? l.character : ''))).toEqual(['Zoë', 'José', 'Nguyễn Anh', 'Ólafur', 'Mara & <Co>', "D'Arcy 2", 'Élodie']);
    expect(scene.elements.filter((e) => e.type === 'action')).toEqual([]);
  });

  test('an all-capitals non-ASCII cue of someone not in the cast is still a cue', () => {
    const scene = parseScreenplayScene('INT. ROOM - DAY\n\nÅSE\nHello.\n\nÉTIENNE: Bonjour.', 1, castOf(['Mara']));
    expect(scene.elements).toEqual([
      { type: 'line', character: 'ÅSE', parenthetical: null, text: 'Hello.' },
      { type: 'line', character: 'ÉTIENNE', parenthetical: null, text: 'Bonjour.' },
    ]);
  });

  test('offline chain: dialogue gives them lines, Fountain has their cues, the review finds no false problems', async () => {
    const premise = PREMISES[0];
    const inputs = { premise, scenes: 4 };
    const memory: Record<string, unknown> = {};
    memory.logline = await runNode('logline', inputs, memory);
    const generated = (await runNode('characters', inputs, memory, { config: { count: 4 } })) as { characters: Character[] };
    const names = ['Zoë', 'José', 'Nguyễn Anh', 'Ólafur', 'Mara & <Co>'];
    // The producer's edit: same roles, new names.
    memory.characters = { characters: generated.characters.concat(castOf(names).slice(generated.characters.length)).map((c, i) => ({ ...c, name: names[i] })) };
    memory.outline = await runNode('outline', inputs, memory, { config: { scenes: 4 } });
    memory.scenes = await runNode('scenes', inputs, memory);
    memory.dialogue = await runNode('dialogue', inputs, memory);

    const dialogue = DialogueSchema.parse(memory.dialogue);
    const speakers = new Set(dialogue.scenes.flatMap((s) => s.elements.flatMap((e) => (e.type === 'line' ? [e.character] : []))));
    for (const speaker of speakers) expect(names).toContain(speaker);
    expect(speakers.size).toBeGreaterThanOrEqual(3);

    const fountain = renderDocument('fountain', memory).content;
    const tokens = new Fountain().parse(fountain, true).tokens as Array<{ type: string; text?: string }>;
    const cues = tokens.filter((t) => t.type === 'character').map((t) => (t.text ?? '').replace(/^@/, '').trim());
    expect(cues.length).toBeGreaterThan(0);
    for (const cue of cues) expect(names.map((n) => n.toLocaleUpperCase())).toContain(cue.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));

    const review = ReviewSchema.parse(await runNode('review', inputs, memory, { config: { target: 'dialogue', maxRevisions: 0 }, target: { nodeId: 'dialogue', type: 'dialogue', slot: 'dialogue', output: memory.dialogue, revise: async () => memory.dialogue } }));
    const falseAlarms = review.issues.filter((issue) => ['misspelt_character', 'unknown_character', 'misspelt_name'].includes(issue.code));
    expect(falseAlarms).toEqual([]);
    for (const issue of review.issues.filter((i) => i.code === 'silent_character')) expect([...speakers].some((s) => issue.message.startsWith(s))).toBe(false);
    // Upper-casing in the writer's own text is Unicode-aware (no "ZOë").
    expect(fountain).not.toMatch(/ZOë|JOSé|ÓLAFUR'S|NGUYễN/);
  });

  test('review checks treat accented names as whole words: prose presence, first person, misspellings', () => {
    const cast = castOf(['Zoë', 'Ólafur', 'Jérôme', "D'Arcy"]);
    const text = 'Zoë crossed the yard. Later Ólafur found Jérôme by the gate, and Jérôme said nothing while D’Arcy watched. Then Zoëy waved.';
    const document = reviewDocumentOf({ passages: [{ number: 1, title: 'Yard', text }] })!;
    const issues = runChecks({ document, cast, knownWords: new Set() });
    expect(issues.filter((i) => i.code === 'silent_character')).toEqual([]);
    expect(issues.filter((i) => i.code === 'first_person')).toEqual([]);
    // A real misspelling of an accented name is still caught, whole ("Zoëy", not "Zo").
    expect(issues.filter((i) => i.code === 'misspelt_name').map((i) => i.message)).toEqual(["Scene 1: 'Zoëy' looks like a misspelling of Zoë"]);
  });

  test('a premise that opens with an accented name names its protagonist', () => {
    expect(protagonistName('Zoë returns to her village after ten years.')).toBe('Zoë');
    expect(protagonistName('Ólafur finds a map.')).toBe('Ólafur');
  });
});
