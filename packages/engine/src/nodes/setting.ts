// The `setting` node: the story's world, its period and `locations` distinct places (name, description, interior or
// not), written to the `setting` slot from the premise and the `logline` slot. The offline writer takes the genre's
// stock places plus one from the premise (its own place, or a room for its central object) and names repeats apart.
import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { MAX_LOCATIONS, SettingSchema, type Location, type Setting } from '../story/types';
import { buildPrompt, feedbackSections, loglineText, rewriteInstruction } from '../story/prompt';
import { PREMISE_INPUT, premiseOf, readLogline } from '../story/memory';
import { STYLE_INPUTS, systemFor } from '../story/style';
import { SeededRandom, changedRewrite, seedOf } from '../story/random';
import { genreProfileNamed, nounsOf, placeOf, protagonistPhrase } from '../story/premise';
import { titleCase } from '../story/text';

const ConfigSchema = z.strictObject({
  locations: z.number().int().min(1).max(MAX_LOCATIONS).default(4),
});
type Config = z.infer<typeof ConfigSchema>;

export function settingPrompt(ctx: NodeContext<Config>): string {
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Premise', body: premiseOf(ctx.inputs, ctx.memory) },
      ...feedbackSections(ctx.feedback, ctx.previous ? JSON.stringify(ctx.previous, null, 2) : undefined),
    ],
    `Describe the world of this story in two sentences, its period, and exactly ${ctx.config.locations} distinct ` +
      'locations where scenes can happen (name, one-sentence description, whether it is an interior).' +
      rewriteInstruction(ctx.feedback) +
      '\nAnswer as JSON: {"world": string, "period": string, "locations": [{"name", "description", "interior"}]}.',
  );
}

/** Offline: the genre's stock places plus one named after the premise's own words. */
export function offlineSetting(ctx: NodeContext<Config>): Setting {
  return changedRewrite(ctx.feedback, ctx.previous, (attempt) => writeSetting(ctx, attempt), ctx.variant);
}

function writeSetting(ctx: NodeContext<Config>, attempt: number): Setting {
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const profile = genreProfileNamed(logline?.genre, premise);
  const random = new SeededRandom(seedOf('setting', attempt, premise, logline, ctx.config.locations, ctx.feedback));
  // The premise's own place ("an orbital station") or a room for its central object ("a map" → "The Map Room").
  const place = placeOf(premise);
  const object = nounsOf(premise).find((noun) => !protagonistPhrase(premise).split(' ').includes(noun)) ?? 'key';
  const own: Location = place
    ? { name: `The ${titleCase(place)}`, interior: false, description: `The ${place} itself, seen from the outside: the one place everyone in the story has a reason to come back to.` }
    : { name: `The ${titleCase(object)} Room`, interior: true, description: `A cramped room where the ${object} ${/[^s]s$/.test(object) ? 'are' : 'is'} kept, and where everything that matters is decided.` };
  const stock = random.shuffle(profile.places);
  const locations: Location[] = [own];
  for (let i = 0; locations.length < ctx.config.locations; i++) {
    const place = stock[i % stock.length];
    const round = Math.floor(i / stock.length);
    // Past the stock list, distinguish repeats ("Kitchen", "North Kitchen") so locations stay distinct.
    const name = round === 0 ? place.name : `${['North', 'Old', 'Upper', 'Back'][round % 4]} ${place.name}`;
    locations.push({ ...place, name });
  }
  return {
    world: random.pick(profile.worlds),
    period: random.pick(['the present day', 'an autumn not long from now', 'the winter of an unnamed year', 'a recent summer']),
    locations,
  };
}

export const settingNode: NodeType<Config, Setting> = {
  type: 'setting',
  title: 'Setting',
  description: 'The world of the story and the locations its scenes use.',
  category: 'plan',
  configSchema: ConfigSchema,
  outputSchema: SettingSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: () => [{ slot: 'logline', description: 'Title, genre and logline the world serves.' }],
  writes: 'setting',
  usesModel: true,
  run: (ctx) =>
    ctx.model.json({ system: systemFor('setting', ctx.inputs), prompt: settingPrompt(ctx), schema: SettingSchema, offline: () => offlineSetting(ctx) }),
};
