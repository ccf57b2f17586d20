import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { SceneListSchema, type SceneCard, type SceneList } from '../story/types';
import { buildPrompt, castText, feedbackSections, loglineText, rewriteInstruction, settingText } from '../story/prompt';
import { PREMISE_INPUT, beatsOf, castOf, premiseOf, readLogline, readOutline, readSetting } from '../story/memory';
import { SeededRandom, changedRewrite, seedOf } from '../story/random';
import { genreProfileNamed } from '../story/premise';
import { TIMES_OF_DAY } from '../story/vocabulary';
import { capitalize, lowerFirst, placePhrase } from '../story/text';

const ConfigSchema = z.strictObject({});
type Config = z.infer<typeof ConfigSchema>;

function outlineText(ctx: NodeContext<Config>): string | undefined {
  const outline = readOutline(ctx.memory);
  return outline?.acts.map((act) => `${act.title}\n${act.beats.map((b) => `${b.number}. ${b.summary}`).join('\n')}`).join('\n');
}

export function scenesPrompt(ctx: NodeContext<Config>): string {
  const count = beatsOf(readOutline(ctx.memory) ?? { acts: [] }).length;
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Characters', body: castText(castOf(ctx.memory)) },
      { label: 'Setting', body: settingText(readSetting(ctx.memory)) },
      { label: 'Outline', body: outlineText(ctx) },
      ...feedbackSections(ctx.feedback, ctx.previous ? JSON.stringify(ctx.previous, null, 2) : undefined),
    ],
    `Turn the outline into a scene list: exactly ${count} scenes, one per beat, in order. For each scene give its ` +
      'number, a screenplay heading ("INT." or "EXT.", the location in capitals, " - DAY" or " - NIGHT"), the location, ' +
      'the characters present (names from Characters only), the beat it plays and a one-sentence summary of what happens.' +
      rewriteInstruction(ctx.feedback) +
      '\nAnswer as JSON: {"scenes": [{"number", "heading", "location", "characters": [string], "beat", "summary"}]}.',
  );
}

/** Offline: one card per beat; the cast rotates so everyone appears, names in the beat are always present. */
export function offlineScenes(ctx: NodeContext<Config>): SceneList {
  return changedRewrite(ctx.feedback, ctx.previous, (attempt) => writeSceneList(ctx, attempt));
}

function writeSceneList(ctx: NodeContext<Config>, attempt: number): SceneList {
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const outline = readOutline(ctx.memory);
  const cast = castOf(ctx.memory).map((c) => c.name);
  const setting = readSetting(ctx.memory);
  const random = new SeededRandom(seedOf('scenes', attempt, premise, logline, outline, cast, setting, ctx.feedback));
  const places = setting?.locations ?? genreProfileNamed(logline?.genre, premise).places;
  const beats = outline ? beatsOf(outline) : [];
  const order = random.shuffle(places);
  const scenes: SceneCard[] = beats.map((beat, index) => {
    const place = order[index % order.length];
    const named = cast.filter((name) => beat.summary.includes(name));
    const rotating = cast.length > 1 ? cast[1 + (index % (cast.length - 1))] : undefined;
    const present = [...new Set([cast[0], ...named, rotating].filter((name): name is string => Boolean(name)))];
    const unnamed = present.filter((name) => !beat.summary.includes(name));
    const time = index === 0 ? 'DAY' : random.pick(TIMES_OF_DAY.slice(0, 4));
    return {
      number: index + 1,
      heading: `${place.interior ? 'INT.' : 'EXT.'} ${place.name.toUpperCase()} - ${time}`,
      location: place.name,
      characters: present,
      beat: beat.summary,
      summary: `${capitalize(placePhrase(place.name))}: ${lowerFirst(beat.summary.replace(/\.$/, ''))}${unnamed.length > 0 ? `; ${unnamed.join(' and ')} ${unnamed.length > 1 ? 'are' : 'is'} there too` : ''}.`,
    };
  });
  return { scenes };
}

export const scenesNode: NodeType<Config, SceneList> = {
  type: 'scenes',
  title: 'Scenes',
  description: 'Scene cards: number, INT./EXT. heading, location, characters present, beat and summary.',
  category: 'plan',
  configSchema: ConfigSchema,
  outputSchema: SceneListSchema,
  readsInputs: [PREMISE_INPUT],
  reads: () => [{ slot: 'outline' }, { slot: 'characters' }, { slot: 'setting', optional: true }],
  writes: 'scenes',
  usesModel: true,
  run: async (ctx) => {
    const list = await ctx.model.json({ prompt: scenesPrompt(ctx), schema: SceneListSchema, offline: () => offlineScenes(ctx) });
    return { scenes: list.scenes.map((scene, index) => ({ ...scene, number: index + 1 })) };
  },
};
