// Continuity facts the story must keep: how each scene left things (its card's outcome, from planning) and what
// the written text settles for good (a character's death). Writers are shown the facts about their people; the
// review shows them to the judge and checks the hardest one: the dead do not speak again.
import type { Character, SceneCard } from './types';
import { castNamedIn } from './names';

export interface ContinuityFact {
  /** The scene that established it. */
  scene: number;
  text: string;
  /** Set for a death: who is gone from this scene on. */
  dead?: string;
}

const DEATH = /\b(dies|died|is killed|was killed|is dead|was dead|drowns|drowned|is shot dead|was shot dead|is murdered|was murdered|breathes (?:his|her|their) last|lies dead)\b/i;
/** Words that take a death back (a rumour, a dream, a near miss), so the sentence is not a death. */
const NOT_DEATH = /\b(not|never|almost|nearly|if|would|could|might|dream\w*|pretend\w*|fake\w*|rumou?r\w*|thought|believed|says? (?:he|she|they) (?:is|was))\b/i;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean);
}

/** Cast members a sentence plainly says are dead: one named subject and a death verb, nothing hedging it. */
export function deathsIn(text: string, cast: readonly Character[]): string[] {
  const dead = new Set<string>();
  for (const sentence of sentencesOf(text)) {
    if (!DEATH.test(sentence) || NOT_DEATH.test(sentence)) continue;
    const named = castNamedIn(sentence, cast);
    if (named.length === 1) dead.add(named[0].name);
  }
  return [...dead];
}

/** The facts up to and including each scene: every card's outcome, and deaths its card or its text states. */
export function continuityFactsOf(cards: readonly SceneCard[], cast: readonly Character[], written: ReadonlyMap<number, string> = new Map()): ContinuityFact[] {
  const facts: ContinuityFact[] = [];
  const gone = new Set<string>();
  for (const card of cards) {
    facts.push({ scene: card.number, text: card.outcome });
    const dying = [...deathsIn(card.outcome, cast), ...deathsIn(written.get(card.number) ?? '', cast)];
    for (const name of dying) {
      if (gone.has(name)) continue;
      gone.add(name);
      facts.push({ scene: card.number, text: `${name} is dead from scene ${card.number} on.`, dead: name });
    }
  }
  return facts;
}
