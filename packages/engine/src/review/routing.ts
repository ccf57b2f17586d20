// Where a review's notes go. A note about one scene goes to that scene by number. A note about no single scene
// goes to the scenes it concerns: those whose cards list the cast member it names; a note about the plan itself
// (the structure, the order of events, the ending) goes up to the planning node when the target has one; else
// the scenes the judge singled out in this pass; else the plan. A note left with `scene: null` is for the plan
// when there is one to change, and otherwise has nowhere to go: it stays in the review's output and causes no
// rewrite.
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
  /** The target's scene cards come from a planning node the review may ask to plan again. */
  replannable: boolean;
}

/** Words of a note about the plan rather than any one scene. */
const ABOUT_THE_PLAN =
  /\b(outline|structure|act (?:one|two|three|[1-5])|acts|pacing|plot|arc|midpoint|climax|ending|subplot|through-?line|order of (?:the )?(?:scenes|events)|scene order|beats|reversal|scenes? written but the outline)\b/i;

/** Whether a note that names no scene is about the plan. */
export function isPlanNote(note: string): boolean {
  return ABOUT_THE_PLAN.test(note);
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
    const toPlan = onCards.length === 0 && context.replannable && (isPlanNote(note.note) || judged.length === 0);
    const targets = onCards.length > 0 ? onCards : toPlan ? [] : judged;
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
