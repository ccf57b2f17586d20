import { runChecks, checkCeiling, distinctTrigramRatio, type CheckContext } from '../../src/review/checks';
import { reviewDocumentOf } from '../../src/review/text';
import { parseScreenplayScene } from '../../src/story/screenplay';
import type { Character, Dialogue, Draft } from '../../src/story/types';
import { person } from '../support/people';
import { PREMISES, planAndWrite } from '../support/story-chain';

const CAST = [person('Mara', 'protagonist'), person('Tobias'), person('Greta', 'mentor')];

function screenplay(...scenes: string[]): Dialogue {
  return { scenes: scenes.map((text, i) => parseScreenplayScene(text, i + 1, CAST)) };
}

const GOOD_SCENE = (n: number): string =>
  `INT. KITCHEN - DAY\n\nMara waits by the kettle, counting the cracks in tile number ${n}.\n\nMARA\nYou kept the letter from scene ${n}.\n\nTOBIAS\n(quietly)\nI kept it because you asked me to, on day ${n}.\n\nGRETA\nEnough. Both of you sit down for round ${n}.`;

function context(output: unknown, overrides: Partial<CheckContext> = {}): CheckContext {
  return { document: reviewDocumentOf(output)!, cast: CAST, knownWords: new Set(['kitchen']), ...overrides };
}

function codes(output: unknown, overrides: Partial<CheckContext> = {}): string[] {
  return runChecks(context(output, overrides)).map((issue) => issue.code);
}

describe('review checks on crafted input', () => {
  test('a clean crafted screenplay has no issues', () => {
    expect(runChecks(context(screenplay(GOOD_SCENE(1), GOOD_SCENE(2)), { expectedScenes: 2 }))).toEqual([]);
  });

  test('cue not in the cast; a misspelt cue is named as such', () => {
    const issues = runChecks(context(screenplay(GOOD_SCENE(1) + '\n\nHENRIK\nWho are you people?', GOOD_SCENE(2) + '\n\nMARRA\nNot now.')));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'unknown_character', sceneNumber: 1, message: expect.stringContaining('HENRIK') }));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'misspelt_character', sceneNumber: 2, message: expect.stringMatching(/MARRA.*Mara/) }));
  });

  test('near-duplicate names in the cast and in the text', () => {
    expect(codes(screenplay(GOOD_SCENE(1)), { cast: [...CAST, person('Marra')] })).toContain('near_duplicate_names');
    const draft: Draft = { passages: [{ number: 1, title: 't', text: 'The rain kept on. Later that night Tobyas found the letter where Mara had left it, and Greta said nothing.' }] };
    const issues = runChecks(context(draft));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'misspelt_name', message: expect.stringMatching(/Tobyas.*Tobias/) }));
  });

  test('a block repeated more than three times (but not three)', () => {
    const loop = 'MARA\nI love you, I always have.';
    const scene = (times: number): string => [GOOD_SCENE(1), ...Array(times).fill(loop)].join('\n\n');
    expect(codes(screenplay(scene(4)))).toContain('repeated_block');
    expect(codes(screenplay(scene(3)))).not.toContain('repeated_block');
  });

  test('low distinct-n-gram ratio', () => {
    const text = Array.from({ length: 30 }, () => 'the door opens and the door closes').join(' and ');
    expect(distinctTrigramRatio(text).ratio).toBeLessThan(0.3);
    expect(codes({ passages: [{ number: 1, title: 't', text: `Mara waited. Tobias waited. Greta waited. ${text}.` }] })).toContain('low_diversity');
  });

  test.each([
    'Sure, here is the scene you asked for:',
    'As an AI, I cannot know what Mara feels.',
    'Here is the revised scene.',
    'I hope this helps!',
  ])('assistant chatter: %s', (chatter) => {
    expect(codes(screenplay(`${chatter}\n\n${GOOD_SCENE(1)}`))).toContain('assistant_chatter');
    expect(codes({ passages: [{ number: 1, title: 't', text: `${chatter}\n\nMara, Tobias and Greta walked on.` }] })).toContain('assistant_chatter');
  });

  test('scene without an INT./EXT. heading', () => {
    const issues = runChecks(context(screenplay(GOOD_SCENE(1).replace('INT. KITCHEN - DAY\n\n', ''), GOOD_SCENE(2))));
    expect(issues.filter((i) => i.code === 'missing_heading').map((i) => i.sceneNumber)).toEqual([1]);
  });

  test('scene count against the outline beats', () => {
    expect(codes(screenplay(GOOD_SCENE(1)), { expectedScenes: 3 })).toContain('scene_count_mismatch');
    expect(codes(screenplay(GOOD_SCENE(1)), { expectedScenes: 1 })).not.toContain('scene_count_mismatch');
  });

  test('a cast member who never speaks (screenplay) or never appears (prose)', () => {
    const withoutGreta = GOOD_SCENE(1).replace(/\n\nGRETA\n.*$/s, '');
    expect(runChecks(context(screenplay(withoutGreta)))).toContainEqual(expect.objectContaining({ code: 'silent_character', message: expect.stringContaining('Greta') }));
    expect(codes({ passages: [{ number: 1, title: 't', text: 'Mara and Tobias argued until dawn.' }] })).toContain('silent_character');
    // A name inside another word ("Greta" in "Gretan") is not an appearance.
    expect(codes({ passages: [{ number: 1, title: 't', text: 'Mara and Tobias read the Gretan papers.' }] })).toContain('silent_character');
  });

  test('first-person narration in prose (quoted speech is fine)', () => {
    const firstPerson = 'I walked into the kitchen and my hands shook. Mara, Tobias and Greta looked up.';
    const quoted = '“I walked in and my hands shook,” Mara said. Tobias and Greta looked up.';
    expect(codes({ passages: [{ number: 1, title: 't', text: firstPerson }] })).toContain('first_person');
    expect(codes({ passages: [{ number: 1, title: 't', text: quoted }] })).not.toContain('first_person');
  });

  test('the ceiling falls with each issue', () => {
    expect(checkCeiling([])).toBe(10);
    expect(checkCeiling([{ code: 'x', severity: 'error', message: '' }, { code: 'y', severity: 'warning', message: '' }])).toBe(6);
    expect(checkCeiling(Array(9).fill({ code: 'x', severity: 'error', message: '' }))).toBe(1);
  });
});

describe('review checks on good offline output', () => {
  test.each([
    [PREMISES[0], 12],
    [PREMISES[1], 20],
    ['Two sisters inherit a failing vineyard and a ghost who wants it sold.', 8],
  ])('no issue for "%s" with %i scenes', async (premise, scenes) => {
    const memory = await planAndWrite(premise, scenes);
    const cast = (memory.characters as { characters: Character[] }).characters;
    for (const slot of ['dialogue', 'draft']) {
      const issues = runChecks(context(memory[slot], { cast, expectedScenes: scenes, knownWords: new Set() }));
      expect(issues).toEqual([]);
    }
  });
});
