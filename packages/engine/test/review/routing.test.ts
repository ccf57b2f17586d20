// Where a review's notes go: by scene number; a note naming no scene to the scenes of the cast member it names,
// to the plan when it is about the plan (and the target has a planner), else to the scenes the judge singled out,
// else to the plan; with no planner, a note with nowhere to go stays unplaced.
import { isPlanNote, routeNotes, type RoutingContext } from '../../src/review/routing';
import type { Character, SceneCard } from '../../src/story/types';

const cast = [{ name: 'Mara Quill' }, { name: 'Tobias' }] as Character[];
const cards = [
  { number: 1, characters: ['Mara Quill'] },
  { number: 2, characters: ['Mara Quill', 'Tobias'] },
  { number: 3, characters: ['Mara Quill'] },
] as SceneCard[];
const context = (overrides: Partial<RoutingContext> = {}): RoutingContext => ({ cards, cast, scenes: [1, 2, 3], judged: [], replannable: true, ...overrides });

test('a note about the structure is a plan note; a note about a line is not', () => {
  expect(isPlanNote('The midpoint reversal comes too late: move it into act 2.')).toBe(true);
  expect(isPlanNote('The ending repeats the opening.')).toBe(true);
  expect(isPlanNote('Cut the second speech; it says the same thing twice.')).toBe(false);
});

test('notes on no scene go to the cast member’s scenes, the plan, or the judge’s scenes, in that order', () => {
  const notes = [
    { scene: 2, note: 'Sharper exit.' },
    { scene: null, note: 'Tobias needs a want of his own.' },
    { scene: null, note: 'The climax comes too early.' },
    { scene: null, note: 'Too many long speeches.' },
  ];
  expect(routeNotes(notes, context({ judged: [3] }))).toEqual([
    { scene: 2, note: 'Sharper exit.' },
    { scene: 2, note: 'Tobias needs a want of his own.' },
    { scene: null, note: 'The climax comes too early.' },
    { scene: 3, note: 'Too many long speeches.' },
  ]);
  // With no scene singled out, what nothing else can take goes to the plan.
  expect(routeNotes(notes, context()).filter((n) => n.scene === null).map((n) => n.note)).toEqual(['The climax comes too early.', 'Too many long speeches.']);
  // Without a planner, a plan note goes to the judge's scenes or stays unplaced.
  expect(routeNotes(notes, context({ replannable: false, judged: [1] })).filter((n) => n.note === 'The climax comes too early.')).toEqual([{ scene: 1, note: 'The climax comes too early.' }]);
  expect(routeNotes(notes, context({ replannable: false })).filter((n) => n.scene === null).map((n) => n.note)).toEqual(['The climax comes too early.', 'Too many long speeches.']);
});
