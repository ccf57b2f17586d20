// What the writer of one scene is shown besides its own card: the world and period, where the scene stands in
// the story, its neighbours' beats, one line per scene before it, and the continuity facts that concern the people
// and place on its card. Built from the plan alone (never from other scenes' written text), so scenes stay
// parallel and each prompt stays a fixed, small size whatever the length of the script.
import type { PromptSection } from './prompt';
import type { Character, Outline, SceneCard, Setting } from './types';
import { castNamedIn } from './names';
import { continuityFactsOf } from './continuity';

/** Earlier scenes summarised one line each; past this many, the oldest are folded into a count. */
const MAX_SUMMARY_LINES = 12;
/** Continuity facts shown to one scene. */
const MAX_FACTS = 6;

export interface SceneContext {
  cards: readonly SceneCard[];
  index: number;
  cast: readonly Character[];
  setting?: Setting;
  outline?: Outline;
}

export function worldText(setting: Setting | undefined): string | undefined {
  return setting ? `${setting.world} Period: ${setting.period}.` : undefined;
}

/** "Scene 3 of 6 — act 2 of 3 (Confrontation); the middle of the story." */
export function positionText({ cards, index, outline }: SceneContext): string {
  const card = cards[index];
  const acts = outline?.acts.length;
  const actTitle = outline?.acts[card.act - 1]?.title;
  const share = cards.length <= 1 ? 1 : index / (cards.length - 1);
  const part = index === 0 ? 'the opening scene' : index === cards.length - 1 ? 'the final scene' : share < 0.34 ? 'the beginning' : share < 0.67 ? 'the middle' : 'the run-up to the end';
  return `Scene ${card.number} of ${cards.length}; act ${card.act}${acts ? ` of ${acts}` : ''}${actTitle ? ` (${actTitle})` : ''}; ${part}.`;
}

export function neighboursText({ cards, index }: SceneContext): string {
  const before = cards[index - 1];
  const after = cards[index + 1];
  return [
    before ? `Before (scene ${before.number}): ${before.beat}` : 'Before: nothing; this scene opens the story.',
    after ? `Next (scene ${after.number}): ${after.beat}` : 'Next: nothing; this scene ends the story.',
  ].join('\n');
}

/** One line per earlier scene, most recent last. */
export function storySoFarText({ cards, index }: SceneContext): string | undefined {
  const earlier = cards.slice(0, index);
  if (earlier.length === 0) return undefined;
  const shown = earlier.slice(-MAX_SUMMARY_LINES);
  const folded = earlier.length - shown.length;
  return [...(folded > 0 ? [`(${folded} earlier scene${folded > 1 ? 's' : ''} before these)`] : []), ...shown.map((c) => `${c.number}. ${c.summary}`)].join('\n');
}

/**
 * Facts the scene must not contradict: how earlier scenes left the people on its card (their outcomes, most
 * recent first), what happened last in the same place, and how the people on the card are tied to each other.
 */
export function continuityFacts({ cards, index, cast }: SceneContext): string[] {
  const card = cards[index];
  const present = new Set(card.characters);
  // Deaths come first: whoever is dead by now must not appear alive, whoever's scene this is.
  const facts: string[] = continuityFactsOf(cards.slice(0, index), cast)
    .filter((fact) => fact.dead !== undefined)
    .map((fact) => fact.text);
  for (const earlier of cards.slice(0, index).reverse()) {
    const shared = earlier.characters.filter((name) => present.has(name));
    if (shared.length > 0) facts.push(`After scene ${earlier.number} (${shared.join(', ')}): ${earlier.outcome}`);
    else if (earlier.location === card.location) facts.push(`Last time in ${card.location} (scene ${earlier.number}): ${earlier.outcome}`);
    if (facts.length >= MAX_FACTS - 1) break;
  }
  const onCard = cast.filter((c) => present.has(c.name));
  for (const member of onCard) {
    const others = castNamedIn(member.relationships, onCard).filter((other) => other !== member);
    if (others.length > 0 && facts.length < MAX_FACTS) facts.push(`${member.name}: ${member.relationships}`);
  }
  return facts;
}

/** The context sections of a scene prompt, in reading order. */
export function sceneContextSections(context: SceneContext): PromptSection[] {
  const facts = continuityFacts(context);
  return [
    { label: 'World', body: worldText(context.setting) },
    { label: 'Where this scene stands', body: positionText(context) },
    { label: 'Story so far', body: storySoFarText(context) ?? 'Nothing yet: this is the opening.' },
    { label: 'Neighbouring scenes', body: neighboursText(context) },
    { label: 'Continuity (do not contradict)', body: facts.length > 0 ? facts.map((f) => `- ${f}`).join('\n') : undefined },
  ];
}
