// Reading continuity facts with a model: one structured-output call over the scene cards after planning, and one
// per scene after it is written. The schema is plain (scene numbers bounded, kinds an enum, at most a few facts a
// scene) so a grammar-constrained local model can answer it; the offline writer uses the heuristics instead.
import { z } from 'zod';
import type { ModelCaller } from '../nodes/types';
import type { RunInputs } from '../pipeline/schema';
import { buildPrompt } from './prompt';
import { systemFor } from './style';
import { factsInText, planFacts } from './continuity';
import { ContinuityKindSchema, MAX_FACTS_PER_SCENE, type Character, type ContinuityFact, type SceneCard } from './types';

/** The answer's shape for facts about scenes `first`…`last`. */
export function factListSchema(first: number, last: number, scenes: number) {
  return z.strictObject({
    facts: z
      .array(
        z.strictObject({
          scene: z.number().int().min(first).max(Math.max(first, last)),
          kind: ContinuityKindSchema,
          subject: z.string().min(1),
          text: z.string().min(1),
        }),
      )
      .max(MAX_FACTS_PER_SCENE * scenes),
  });
}

const KINDS_EXPLAINED =
  'death (someone dies), absence (someone leaves; say "for good" if they never return), injury, object (the state ' +
  'of an important thing: found, hidden, given to someone, lost, destroyed), knowledge (who now knows what), ' +
  'relationship (a tie made, broken or changed), time (when the scene happens against the one before: "the next ' +
  'morning", "two days later", "flashback"), state (how things stand after the scene)';

function instruction(what: string, count: number): string {
  return (
    `List the continuity facts ${what} establishes: what later scenes must not contradict. Kinds: ${KINDS_EXPLAINED}. ` +
    `Subject: the character's name as written in Characters, the object ("the letter"), or "time". Text: the fact in ` +
    `one short sentence. Only what is stated, at most ${MAX_FACTS_PER_SCENE * count} facts, none about scenes not shown.` +
    '\nAnswer as JSON: {"facts": [{"scene": integer, "kind": string, "subject": string, "text": string}]}.'
  );
}

function namesText(cast: readonly Character[]): string | undefined {
  return cast.map((c) => c.name).join(', ') || undefined;
}

export function planFactsPrompt(cards: readonly SceneCard[], cast: readonly Character[]): string {
  const plan = cards.map((c) => `${c.number}. ${c.heading} | ${c.characters.join(', ')} | ${c.beat} Turn: ${c.turn} Outcome: ${c.outcome}`).join('\n');
  return buildPrompt([{ label: 'Characters', body: namesText(cast) }, { label: 'Scene cards', body: plan }], instruction('this plan', cards.length));
}

export function sceneFactsPrompt(scene: number, text: string, cast: readonly Character[]): string {
  return buildPrompt([{ label: 'Characters', body: namesText(cast) }, { label: `Scene ${scene}, as written`, body: text }], instruction(`scene ${scene}`, 1));
}

/** The facts the cards establish: the model's reading, or offline the heuristics'. */
export async function readPlanFacts(model: ModelCaller, inputs: RunInputs, cards: readonly SceneCard[], cast: readonly Character[]): Promise<ContinuityFact[]> {
  if (model.offline || cards.length === 0) return planFacts(cards, cast);
  const numbers = cards.map((c) => c.number);
  const answer = await model.json({
    label: 'continuity',
    system: systemFor('continuity', inputs),
    prompt: planFactsPrompt(cards, cast),
    schema: factListSchema(Math.min(...numbers), Math.max(...numbers), cards.length),
    temperature: 0,
    offline: () => ({ facts: planFacts(cards, cast) }),
  });
  return answer.facts;
}

/** The facts one written scene establishes: the model's reading of its text, or offline the heuristics'. */
export async function readSceneFacts(model: ModelCaller, inputs: RunInputs, scene: number, text: string, narration: string, cast: readonly Character[]): Promise<ContinuityFact[]> {
  if (model.offline) return factsInText(scene, narration, cast);
  const answer = await model.json({
    label: `facts-${scene}`,
    system: systemFor('continuity', inputs),
    prompt: sceneFactsPrompt(scene, text, cast),
    schema: factListSchema(scene, scene, 1),
    temperature: 0,
    offline: () => ({ facts: factsInText(scene, narration, cast) }),
  });
  return answer.facts.map((item) => ({ ...item, scene }));
}
