// What the writer of one scene is shown besides its own card: the world and period, where the scene stands in
// the story, its neighbours' beats, one line per scene before it, and the continuity facts that concern the people
// and things on its card. Built from the plan and the facts read from it (never from other scenes' written text,
// except the facts read from it on a rewrite), so scenes stay parallel and each prompt stays a fixed, small size
// whatever the length of the script.
import type { PromptSection } from './prompt';
import type { Character, ContinuityFact, Outline, SceneCard, Setting } from './types';
import { castNamedIn } from './names';
import { goneFromStory, headNoun } from './continuity';

/** Earlier scenes summarised one line each; past this many, the oldest are folded into a count. */
const MAX_SUMMARY_LINES = 12;
/** Continuity facts shown to one scene. */
const MAX_FACTS = 8;

export interface SceneContext {
  cards: readonly SceneCard[];
  index: number;
  cast: readonly Character[];
  setting?: Setting;
  outline?: Outline;
  /** What is known when the scene is written: the plan's facts, and on a rewrite those of the written text. */
  facts: readonly ContinuityFact[];
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

/** Whether a fact concerns a scene: it names someone on the card, or a thing or place the card's plan names. */
function concerns(item: ContinuityFact, card: SceneCard, onCard: readonly Character[]): boolean {
  if (castNamedIn(`${item.subject} ${item.text}`, onCard).length > 0) return true;
  const plan = [card.beat, card.goal, card.conflict, card.turn, card.outcome, card.summary, ...card.subBeats].join(' ').toLowerCase();
  if (item.kind === 'object' || item.kind === 'state') return new RegExp(`\\b${headNoun(item.subject).replace(/[^\p{L}\p{M}\p{N}' -]/gu, '')}\\b`, 'iu').test(plan) || item.subject === card.location;
  return false;
}

/** One fact as a writer reads it. */
function factLine(item: ContinuityFact, card: SceneCard): string {
  if (item.kind === 'state') return `After scene ${item.scene} (${item.subject}): ${item.text}`;
  if (item.kind === 'time') return `Story clock: scene ${item.scene} is set ${item.text.replace(/\.$/, '').toLowerCase()}; scene ${card.number} comes after it`;
  return `Scene ${item.scene}: ${item.text}`;
}

/**
 * Facts the scene must not contradict, from the scenes before it: who is gone from the story (whoever's scene this
 * is), then the facts about the people and things on its card, most recent first, and the latest word on the
 * story's clock; last, how the people on the card are tied to each other.
 */
export function continuityFacts({ cards, index, cast, facts }: SceneContext): string[] {
  const card = cards[index];
  const onCard = cast.filter((c) => card.characters.includes(c.name));
  const before = facts.filter((item) => item.scene < card.number);
  const gone = goneFromStory(before, cast).map((g) => `${g.name} ${g.how} in scene ${g.scene}: ${g.name} cannot appear or speak.`);
  const about = before.filter((item) => item.kind !== 'death' && item.kind !== 'absence' && item.kind !== 'time' && concerns(item, card, onCard)).reverse();
  const clock = before.filter((item) => item.kind === 'time').slice(-1);
  const lines = [...gone, ...about.slice(0, MAX_FACTS - gone.length - clock.length).map((item) => factLine(item, card)), ...clock.map((item) => factLine(item, card))];
  for (const member of onCard) {
    const others = castNamedIn(member.relationships, onCard).filter((other) => other !== member);
    if (others.length > 0 && lines.length < MAX_FACTS) lines.push(`${member.name}: ${member.relationships}`);
  }
  return lines;
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
