// The `logline` node: from the premise alone (it reads no slot) it writes the `logline` slot: a title, a one-sentence
// logline, the genre and the tone. The offline writer builds them from the premise's own words and its genre's stock
// goals and stakes; a rewrite never returns the previous title.
import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { LoglineSchema, type Logline } from '../story/types';
import { buildPrompt, feedbackSections, rewriteInstruction } from '../story/prompt';
import { PREMISE_INPUT, premiseOf } from '../story/memory';
import { STYLE_INPUTS, systemFor } from '../story/style';
import { SeededRandom, changedRewrite, seedOf } from '../story/random';
import { genreOf, nounsOf, protagonistName, protagonistNoun, protagonistPhrase, protagonistReference, salientWords } from '../story/premise';
import { capitalize, lowerFirst, stripTrailingPunctuation, titleCase } from '../story/text';

const ConfigSchema = z.strictObject({});
type Config = z.infer<typeof ConfigSchema>;

export function loglinePrompt(ctx: NodeContext<Config>): string {
  return buildPrompt(
    [
      { label: 'Premise', body: premiseOf(ctx.inputs, ctx.memory) },
      ...feedbackSections(ctx.feedback, ctx.previous ? JSON.stringify(ctx.previous, null, 2) : undefined),
    ],
    'Write a logline for this story: one sentence naming the protagonist, what they want, what stands in their way ' +
      'and what is at stake. Also give it a short title, its genre and its tone.' +
      rewriteInstruction(ctx.feedback) +
      '\nAnswer as JSON: {"title": string, "logline": string, "genre": string, "tone": string}.',
  );
}

/** Offline: title, genre and tone from the premise's words; feedback picks a different framing. */
export function offlineLogline(ctx: NodeContext<Config>): Logline {
  return changedRewrite(ctx.feedback, ctx.previous, (attempt) => writeLogline(ctx, attempt), ctx.variant);
}

function writeLogline(ctx: NodeContext<Config>, attempt: number): Logline {
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const profile = genreOf(premise);
  const random = new SeededRandom(seedOf('logline', attempt, premise, ctx.feedback));
  const phrase = protagonistPhrase(premise);
  const noun = protagonistNoun(premise);
  const nouns = nounsOf(premise).filter((word) => !phrase.split(' ').includes(word));
  const object = nouns[0] ?? salientWords(premise).find((word) => !phrase.includes(word)) ?? profile.objects[0].split(' ').pop()!;
  const name = protagonistName(premise);
  const titles = [
    name ?? `The ${titleCase(phrase)}`,
    `The ${titleCase(object)}`,
    `What ${name ?? `the ${titleCase(noun)}`} Knew`,
    `${titleCase(object)} at Dusk`,
  ];
  // A rewrite asked for by feedback never returns the previous title.
  const previousTitle = (ctx.previous as Partial<Logline> | undefined)?.title;
  const title = random.pick(titles.filter((candidate) => candidate !== previousTitle));
  const clause = lowerFirst(stripTrailingPunctuation(premise));
  const logline = `When ${clause}, ${protagonistReference(premise)} must ${random.pick(profile.goals)} before ${random.pick(profile.stakes)}.`;
  return { title, logline: capitalize(logline), genre: profile.genre, tone: random.pick(profile.tones) };
}

export const loglineNode: NodeType<Config, Logline> = {
  type: 'logline',
  title: 'Logline',
  description: 'Premise → logline, title, genre and tone (Dramatron step 0–1).',
  category: 'plan',
  configSchema: ConfigSchema,
  outputSchema: LoglineSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: () => [],
  writes: 'logline',
  usesModel: true,
  run: (ctx) =>
    ctx.model.json({ system: systemFor('logline', ctx.inputs), prompt: loglinePrompt(ctx), schema: LoglineSchema, offline: () => offlineLogline(ctx) }),
};
