// What `dialogue` and `prose` share: one model call per scene card, in parallel up to `concurrency`,
// each call seeing the previous card's summary (not its generated text, so scenes stay parallel).
import { z } from 'zod';
import type { NodeContext, SlotRead } from './types';
import { castOf, premiseOf, readLogline, readSetting, sceneCardsOf } from '../story/memory';
import { mapWithConcurrency } from '../story/concurrency';
import { SeededRandom, seedOf } from '../story/random';
import { notesForScene, sceneFocus, sceneSpeakers, type SceneMaterial } from '../story/scene-writer';
import { genreProfileNamed } from '../story/premise';
import type { Character, SceneCard } from '../story/types';
import { StoryloomError } from '../errors';

export const SceneWritingConfigSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(32).default(4),
});
export type SceneWritingConfig = z.infer<typeof SceneWritingConfigSchema>;

export const sceneWritingReads = (): SlotRead[] => [
  { slot: 'scenes', alternatives: ['outline'], description: 'Scene cards, or the outline beats as cards.' },
  { slot: 'characters' },
  { slot: 'setting', optional: true },
  { slot: 'logline', optional: true },
];

export interface SceneJob {
  card: SceneCard;
  previous?: SceneCard;
  cast: Character[];
  notes: string[];
  material: SceneMaterial;
}

/** The per-scene work of a writing node, with deterministic material for the offline writer. */
export function sceneJobs(ctx: NodeContext<SceneWritingConfig>, kind: string): SceneJob[] {
  const cards = sceneCardsOf(ctx.memory);
  if (cards.length === 0) {
    throw new StoryloomError('invalid_input', `${kind} '${ctx.nodeId}' has no scenes to write: its 'scenes' or 'outline' slot is empty`);
  }
  const cast = castOf(ctx.memory);
  const setting = readSetting(ctx.memory);
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const objects = genreProfileNamed(logline?.genre, premise).objects;
  return cards.map((card, index) => {
    const previous = index > 0 ? cards[index - 1] : undefined;
    const notes = notesForScene(ctx.feedback, card.number);
    const place = setting?.locations.find((l) => l.name === card.location);
    return {
      card,
      previous,
      cast,
      notes,
      material: {
        card,
        speakers: sceneSpeakers(card, cast, notes),
        placeDescription: place?.description ?? `${card.location}.`,
        focus: sceneFocus(card, objects),
        firstVisit: !cards.slice(0, index).some((earlier) => earlier.location === card.location),
        previousSummary: previous?.summary,
        notes,
        random: new SeededRandom(seedOf(kind, premise, logline, card, previous?.summary, cast, notes)),
      },
    };
  });
}

export function writeScenes<R>(ctx: NodeContext<SceneWritingConfig>, jobs: SceneJob[], write: (job: SceneJob) => Promise<R>): Promise<R[]> {
  return mapWithConcurrency(jobs, ctx.config.concurrency, async (job) => {
    if (ctx.signal.aborted) throw new StoryloomError('cancelled', 'run cancelled');
    return write(job);
  });
}
