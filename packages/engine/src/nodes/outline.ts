// The `outline` node: the plot as acts of beats (exactly `scenes` beats over `acts` acts, each naming who is in it and
// where), written to the `outline` slot from the premise, the logline and, when present, the cast and the setting. A
// model's answer is held to the cast's names and the setting's places, then renumbered and cut to the count. The
// offline writer stretches the story-structure shapes, setup to resolution, over the beats, the middle acts longest.
import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { MAX_ACTS, MAX_SCENES, OutlineSchema, type Act, type Outline } from '../story/types';
import { buildPrompt, castText, feedbackSections, loglineText, rewriteInstruction, settingText } from '../story/prompt';
import { PREMISE_INPUT, castOf, premiseOf, readLogline, readSetting } from '../story/memory';
import { SeededRandom, changedRewrite, seedOf } from '../story/random';
import { genreProfileNamed, protagonistName, protagonistNoun, protagonistReference } from '../story/premise';
import { ACT_TITLES, BEAT_SHAPES } from '../story/vocabulary';
import { capitalize, flawAsNoun, indefiniteArticle, placePhrase, pronounForms, withPronouns } from '../story/text';
import { outlineSchemaFor, prepareOutline } from '../story/constrained';
import { STYLE_INPUTS, systemFor } from '../story/style';

const ConfigSchema = z.strictObject({
  scenes: z.number().int().min(1).max(MAX_SCENES).default(6),
  acts: z.number().int().min(1).max(MAX_ACTS).default(3),
});
type Config = z.infer<typeof ConfigSchema>;

export function outlinePrompt(ctx: NodeContext<Config>): string {
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Premise', body: premiseOf(ctx.inputs, ctx.memory) },
      { label: 'Characters', body: castText(castOf(ctx.memory)) },
      { label: 'Setting', body: settingText(readSetting(ctx.memory)) },
      ...feedbackSections(ctx.feedback, ctx.previous ? JSON.stringify(ctx.previous, null, 2) : undefined),
    ],
    `Outline the plot in ${ctx.config.acts} act(s) with exactly ${ctx.config.scenes} beats in total, numbered 1 to ` +
      `${ctx.config.scenes} across the acts. Each beat is one sentence: who does what, and what changes. Each beat ` +
      'lists the characters in it (names from Characters) and where it happens (one of the Setting\'s locations, ' +
      'by name). Every character should matter to at least one beat; the protagonist is in the last beat, which ' +
      'resolves the logline.' +
      rewriteInstruction(ctx.feedback) +
      '\nAnswer as JSON: {"acts": [{"title": string, "beats": [{"number": integer, "summary": string, "characters": [string], "location": string}]}]}.',
  );
}

/** How many of `total` beats each act gets: the middle acts are the longest, every act gets one if it can. */
export function splitBeats(total: number, acts: number): number[] {
  const count = Math.min(acts, total);
  const weights = Array.from({ length: count }, (_, i) => (count > 2 && i > 0 && i < count - 1 ? 2 : 1));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const spare = total - count;
  const sizes = weights.map((w) => 1 + Math.floor((spare * w) / weightSum));
  let leftover = total - sizes.reduce((a, b) => a + b, 0);
  // Largest weights (the middle acts) take what rounding left over.
  const order = weights.map((w, i) => ({ w, i })).sort((a, b) => b.w - a.w || a.i - b.i);
  for (let k = 0; leftover > 0; k = (k + 1) % count, leftover--) sizes[order[k].i]++;
  return sizes;
}

const BEAT_TEMPLATES: Record<string, string[]> = {
  setup: ['{hero} goes about an ordinary day while {object} sits unnoticed nearby.', '{hero}, {habit}, is already tired of {place}.'],
  'inciting incident': ['{other} brings {hero} {object}, and nothing can stay as it was.', '{hero} finds {object} where it should not be.'],
  'first decision': ['{hero} decides to {goal}, against the advice of {other}.', 'Refusing to look away, {hero} commits to {goal}.'],
  complication: ['{other} turns out to know more about {object} than {they} admitted.', 'A lead at {place} collapses and {hero} is blamed.'],
  'midpoint reversal': ['{hero} learns that {other} has been protecting someone all along.', 'What {hero} believed about {object} is turned upside down at {place}.'],
  tightening: ['Time runs short; {other} pushes {hero} to give up.', '{hero} and {other} quarrel and split up at {place}.'],
  crisis: ['{hero} must choose between {other} and the truth about {object}.', 'Alone at {place}, {hero} faces the cost of {flaw}.'],
  climax: ['{hero} confronts {other} at {place} and risks everything to {goal}.', 'At {place}, {hero} finally uses {object} and the truth comes out.'],
  resolution: ['In the quiet after, {hero} and {other} take stock of what was saved and what was lost.', '{hero} returns to {place}, changed, and {object} is put to rest.'],
};

/** Offline: the story-structure shapes stretched over the requested number of beats. */
export function offlineOutline(ctx: NodeContext<Config>): Outline {
  return changedRewrite(ctx.feedback, ctx.previous, (attempt) => writeOutline(ctx, attempt), ctx.variant);
}

function writeOutline(ctx: NodeContext<Config>, attempt: number): Outline {
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const cast = castOf(ctx.memory);
  const setting = readSetting(ctx.memory);
  const profile = genreProfileNamed(logline?.genre, premise);
  const random = new SeededRandom(seedOf('outline', attempt, premise, logline, cast, setting, ctx.config, ctx.feedback));
  const hero = cast[0]?.name ?? capitalize(protagonistReference(premise));
  const others = cast.slice(1).map((c) => c.name);
  const locations = setting?.locations ?? profile.places;
  const places = locations.map((place) => placePhrase(place.name));
  const objects = random.shuffle(profile.objects);
  const goal = random.pick(profile.goals);
  const total = ctx.config.scenes;
  const beats = Array.from({ length: total }, (_, i) => {
    const shape = BEAT_SHAPES[total === 1 ? BEAT_SHAPES.length - 2 : Math.round((i * (BEAT_SHAPES.length - 1)) / (total - 1))];
    const template = random.pick(BEAT_TEMPLATES[shape]);
    const other = others.length > 0 ? others[i % others.length] : undefined;
    const summary = template
      .replace(/\{hero\}/g, hero)
      .replace(/\{other\}/g, other ?? 'a stranger')
      .replace(/\{they\}/g, pronounForms(cast.find((c) => c.name === other)?.pronouns).subject)
      .replace(/\{object\}/g, objects[Math.floor(i / 3) % objects.length])
      .replace(/\{place\}/g, places[i % places.length])
      .replace(/\{goal\}/g, goal)
      .replace(/\{habit\}/g, protagonistName(premise) ? 'a creature of habit' : `${indefiniteArticle(protagonistNoun(premise))} ${protagonistNoun(premise)} by habit`)
      .replace(/\{flaw\}/g, withPronouns(flawAsNoun(cast[0]?.flaw ?? 'pride'), cast[0]?.pronouns));
    // The beat names who is in it and where: the cards built from it follow these, not a rotation.
    const characters = [...(cast[0] ? [hero] : []), ...(other ? [other] : [])];
    return { number: i + 1, summary: capitalize(summary), characters, location: locations[i % locations.length].name };
  });
  const titles = ACT_TITLES[Math.min(ctx.config.acts, total) - 1];
  let next = 0;
  const acts: Act[] = splitBeats(total, ctx.config.acts).map((size, i) => {
    const act = { title: titles[i], beats: beats.slice(next, next + size) };
    next += size;
    return act;
  });
  return { acts };
}

/** A real model may miscount: number the beats 1…n in order and drop beats past the requested count. */
export function normaliseOutline(outline: Outline, scenes: number): Outline {
  let number = 0;
  const acts = outline.acts
    .map((act) => ({ ...act, beats: act.beats.slice(0, Math.max(0, scenes - number)).map((beat) => ({ ...beat, number: ++number })) }))
    .filter((act) => act.beats.length > 0);
  return acts.length > 0 ? { acts } : outline;
}

export const outlineNode: NodeType<Config, Outline> = {
  type: 'outline',
  title: 'Outline',
  description: 'Acts and beats: exactly `scenes` beats, the plot from setup to resolution.',
  category: 'plan',
  configSchema: ConfigSchema,
  outputSchema: OutlineSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: () => [
    { slot: 'logline' },
    { slot: 'characters', optional: true },
    { slot: 'setting', optional: true },
  ],
  writes: 'outline',
  usesModel: true,
  run: async (ctx) => {
    const cast = castOf(ctx.memory);
    const places = readSetting(ctx.memory)?.locations ?? [];
    const outline = await ctx.model.json({
      system: systemFor('outline', ctx.inputs),
      prompt: outlinePrompt(ctx),
      schema: outlineSchemaFor(cast.map((c) => c.name), places.map((p) => p.name)),
      prepare: prepareOutline(cast, places),
      offline: () => offlineOutline(ctx),
    });
    return normaliseOutline(outline, ctx.config.scenes);
  },
};
