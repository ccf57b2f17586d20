// Where a review's notes go. A note about one scene goes to that scene by number. A note about no single scene
// goes to the scenes it concerns: those whose cards list the cast member it names, else the scenes the judge
// singled out in this pass; a note that still has nowhere to go stays in the review's output (`scene: null`)
// and causes no rewrite.
import type { ReviewIssue, SceneCard, SceneNote, Character } from '../story/types';
import { castNamedIn } from '../story/names';

/** A check's finding as a note: its scene by number, its message without the "Scene N: " the text repeats. */
export function issueNote(issue: ReviewIssue): SceneNote {
  return { scene: issue.sceneNumber ?? null, note: issue.message.replace(/^Scene \d+: /, '') };
}

export interface RoutingContext {
  cards: readonly SceneCard[];
  cast: readonly Character[];
  /** Scene numbers that exist in the text under review. */
  scenes: readonly number[];
  /** The scenes the judge's own notes single out in this pass. */
  judged: readonly number[];
}

function distinct(notes: SceneNote[]): SceneNote[] {
  const seen = new Set<string>();
  return notes.filter((note) => {
    const key = `${note.scene}\u241e${note.note}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every note placed on a scene where one can take it; the rest kept with `scene: null`. */
export function routeNotes(notes: readonly SceneNote[], context: RoutingContext): SceneNote[] {
  const exists = new Set(context.scenes);
  const placed = notes.filter((note) => note.scene !== null && exists.has(note.scene));
  const judged = [...new Set(context.judged.filter((scene) => exists.has(scene)))];
  const routed: SceneNote[] = [...placed];
  for (const note of notes) {
    if (note.scene !== null && exists.has(note.scene)) continue;
    const named = castNamedIn(note.note, context.cast).map((c) => c.name);
    const onCards = named.length > 0 ? context.cards.filter((card) => card.characters.some((name) => named.includes(name)) && exists.has(card.number)).map((c) => c.number) : [];
    const targets = onCards.length > 0 ? onCards : judged;
    if (targets.length === 0) routed.push({ scene: null, note: note.note });
    for (const scene of targets) routed.push({ scene, note: note.note });
  }
  return distinct(routed);
}

/** A producer's notes to a review: those naming "scene N" go there, the others to every scene. */
export function producerNotes(feedback: readonly string[], scenes: readonly number[]): SceneNote[] {
  return feedback.flatMap((note) => {
    const named = [...note.matchAll(/\bscene (\d+)/gi)].map((m) => Number(m[1])).filter((n) => scenes.includes(n));
    return (named.length > 0 ? named : scenes).map((scene) => ({ scene, note }));
  });
}
