// The `scenes` node: the scene cards the writers work from, one per outline beat (heading, location, cast present,
// act, beat, goal, conflict, turn, outcome, sub-beats), written to the `scenes` slot from the outline, the cast and
// (when present) the setting, with the continuity facts the cards establish. A model's cards are renumbered and their
// headings made to name their own location; offline, each beat becomes a card with its own characters and place.
import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { SceneListSchema, type Location, type SceneList } from '../story/types';
import { buildPrompt, castText, feedbackSections, loglineText, rewriteInstruction, settingText } from '../story/prompt';
import { PREMISE_INPUT, beatsOf, castOf, premiseOf, readLogline, readOutline, readSetting } from '../story/memory';
import { SeededRandom, changedRewrite, seedOf } from '../story/random';
import { genreProfileNamed } from '../story/premise';
import { TIMES_OF_DAY } from '../story/vocabulary';
import { cardsFromOutline } from '../story/cards';
import { findPlace } from '../story/names';
import { prepareSceneList, sceneListSchemaFor } from '../story/constrained';
import { STYLE_INPUTS, systemFor } from '../story/style';
import { readPlanFacts } from '../story/continuity-reading';
import { sourceKey } from '../story/continuity';

const ConfigSchema = z.strictObject({});
type Config = z.infer<typeof ConfigSchema>;

function outlineText(ctx: NodeContext<Config>): string | undefined {
  const outline = readOutline(ctx.memory);
  return outline?.acts.map((act) => `${act.title}\n${act.beats.map((b) => `${b.number}. ${b.summary}`).join('\n')}`).join('\n');
}

/** The previous cards for a rewrite, without the facts read from them (the answer holds cards only). */
function previousCards(previous: unknown): string | undefined {
  const cards = SceneListSchema.safeParse(previous).data?.scenes;
  return cards ? JSON.stringify({ scenes: cards }, null, 2) : previous === undefined ? undefined : JSON.stringify(previous, null, 2);
}

export function scenesPrompt(ctx: NodeContext<Config>): string {
  const count = beatsOf(readOutline(ctx.memory) ?? { acts: [] }).length;
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Characters', body: castText(castOf(ctx.memory)) },
      { label: 'Setting', body: settingText(readSetting(ctx.memory)) },
      { label: 'Outline', body: outlineText(ctx) },
      ...feedbackSections(ctx.feedback, previousCards(ctx.previous)),
    ],
    `Turn the outline into scene cards: exactly ${count} scenes, one per beat, in order. For each scene give its ` +
      'number; a screenplay heading ("INT." or "EXT.", the location in capitals, " - DAY" or " - NIGHT"); the location ' +
      '(one of the Setting\'s location names, exactly as written there); the characters present (names from Characters ' +
      'only, exactly as written; the beat\'s characters always included); the act it belongs to (1 = first act); the ' +
      'beat it plays; the goal of its main character in this scene; the conflict that blocks it; the turn where the ' +
      'scene changes direction; the outcome that later scenes build on; two to five sub-beats, the steps it plays in ' +
      'order; and a one-sentence summary. Goal, conflict, turn and outcome must not repeat the beat.' +
      rewriteInstruction(ctx.feedback) +
      '\nAnswer as JSON: {"scenes": [{"number", "heading", "location", "characters": [string], "act", "beat", "goal", "conflict", "turn", "outcome", "subBeats": [string], "summary"}]}.',
  );
}

/** Offline: one card per beat, with the beat's own characters and place. */
export function offlineScenes(ctx: NodeContext<Config>): SceneList {
  // Compared by its cards: the facts kept beside them are read again from whatever cards are written.
  const previous = SceneListSchema.safeParse(ctx.previous).data;
  return changedRewrite(ctx.feedback, previous ? { scenes: previous.scenes } : ctx.previous, (attempt) => writeSceneList(ctx, attempt), ctx.variant);
}

function placesOf(ctx: NodeContext<Config>): Location[] {
  const logline = readLogline(ctx.memory);
  return readSetting(ctx.memory)?.locations ?? genreProfileNamed(logline?.genre, premiseOf(ctx.inputs, ctx.memory)).places;
}

function writeSceneList(ctx: NodeContext<Config>, attempt: number): SceneList {
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const outline = readOutline(ctx.memory) ?? { acts: [] };
  const cast = castOf(ctx.memory);
  const random = new SeededRandom(seedOf('scenes', attempt, premise, logline, outline, cast, ctx.feedback));
  const times = beatsOf(outline).map(() => random.pick(TIMES_OF_DAY.slice(0, 4)));
  return { scenes: cardsFromOutline(outline, { cast, places: placesOf(ctx), timeOf: (index) => times[index] }) };
}

/**
 * A model's cards numbered 1…n in order, acts kept within the outline's, and each heading naming the card's own
 * location (a heading for another place than the card's is rebuilt from the location, keeping its time of day).
 */
function normaliseCards(list: SceneList, acts: number, places: readonly Location[]): SceneList {
  return {
    ...list,
    scenes: list.scenes.map((scene, index) => ({
      ...scene,
      number: index + 1,
      act: Math.min(Math.max(1, scene.act), Math.max(1, acts)),
      heading: headingFor(scene.heading, scene.location, places),
    })),
  };
}

function headingFor(heading: string, location: string, places: readonly Location[]): string {
  const place = findPlace(location, places);
  if (!place || findPlace(heading, [place])) return heading;
  const time = / - ([A-Z ]+)$/i.exec(heading.trim())?.[1]?.toUpperCase() ?? 'DAY';
  return `${place.interior ? 'INT.' : 'EXT.'} ${place.name.toUpperCase()} - ${time}`;
}

export const scenesNode: NodeType<Config, SceneList> = {
  type: 'scenes',
  title: 'Scenes',
  description:
    'Scene cards, the source of truth for the writers: INT./EXT. heading, a location of the setting, the cast present, ' +
    'act, beat, goal, conflict, turn, outcome, two to five sub-beats and a summary; then the continuity facts the cards ' +
    'establish (deaths, departures, injuries, objects, who knows what, ties, time), read by the model or, offline, by heuristics.',
  category: 'plan',
  configSchema: ConfigSchema,
  outputSchema: SceneListSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: () => [{ slot: 'outline' }, { slot: 'characters' }, { slot: 'setting', optional: true }],
  writes: 'scenes',
  usesModel: true,
  run: async (ctx) => {
    const cast = castOf(ctx.memory);
    const places = readSetting(ctx.memory)?.locations ?? [];
    const list = await ctx.model.json({
      system: systemFor('scenes', ctx.inputs),
      prompt: scenesPrompt(ctx),
      schema: sceneListSchemaFor(cast.map((c) => c.name), places.map((p) => p.name)),
      prepare: prepareSceneList(cast, places),
      offline: () => offlineScenes(ctx),
    });
    const cards = normaliseCards(list, readOutline(ctx.memory)?.acts.length ?? 1, places);
    // After planning, the facts the cards establish: what every writer and the review hold the scenes to.
    return { ...cards, continuity: await readPlanFacts(ctx.model, ctx.inputs, cards.scenes, cast), continuityKey: sourceKey(cards.scenes) };
  },
};
