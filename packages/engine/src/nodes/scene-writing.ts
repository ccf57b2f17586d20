// What `dialogue` and `prose` share: one model call per scene card, in parallel up to `concurrency`, each call
// seeing its card and the plan around it (not other scenes' generated text, so scenes stay parallel); in a
// review's revision only the scenes with notes are written again.
import { z } from 'zod';
import type { NodeContext, SlotRead, StoryMemory } from './types';
import { castOf, premiseOf, readLogline, readOutline, readSceneList, readSetting, sceneCardsOf } from '../story/memory';
import { continuityLedger, keptFacts, planFacts, sourceKey } from '../story/continuity';
import { readPlanFacts, readSceneFacts } from '../story/continuity-reading';
import type { ReviewScene } from '../review/text';
import { findPlace } from '../story/names';
import type { SceneContext } from '../story/scene-context';
import { sceneWords, styleOf, systemFor } from '../story/style';
import { mapWithConcurrency } from '../story/concurrency';
import { SeededRandom, seedOf } from '../story/random';
import { notesForScene, sceneFocus, sceneSpeakers, type SceneMaterial } from '../story/scene-writer';
import { genreProfileNamed } from '../story/premise';
import { ContinuityFactSchema, type Character, type ContinuityFact, type SceneCard } from '../story/types';
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

/** One call per scene card (what a budget check expects a writing node to make). */
export const sceneWritingCalls = (_config: SceneWritingConfig, memory: StoryMemory): number => Math.max(1, sceneCardsOf(memory).length);

export interface SceneJob {
  card: SceneCard;
  previous?: SceneCard;
  /** The whole cast (cues are matched against it). */
  cast: Character[];
  /** The cast members on this scene's card: the only named characters who may appear. */
  present: Character[];
  /** Notes this scene's rewrite must address (empty on a first draft). */
  notes: string[];
  /** What the writer sees besides its card: world, position, story so far, neighbours, continuity. */
  context: SceneContext;
  material: SceneMaterial;
}

/** The facts a previous version of the writer's output kept, read from its text after it was written. */
function previousFacts(previous: unknown): ContinuityFact[] {
  return ContinuityFactSchema.array().safeParse(keptFacts(previous)).data ?? [];
}

/** The notes for one scene: a review's by scene number; a producer's reject feedback naming it or no scene. */
function notesFor(ctx: NodeContext<SceneWritingConfig>, number: number): string[] {
  if (ctx.revisionNotes) return ctx.revisionNotes.filter((n) => n.scene === number).map((n) => n.note);
  return notesForScene(ctx.feedback, number);
}

/** The per-scene work of a writing node, with deterministic material for the offline writer. */
export function sceneJobs(ctx: NodeContext<SceneWritingConfig>, kind: string, planRead: readonly ContinuityFact[] = []): SceneJob[] {
  const cards = sceneCardsOf(ctx.memory);
  if (cards.length === 0) {
    throw new StoryloomError('invalid_input', `${kind} '${ctx.nodeId}' has no scenes to write: its 'scenes' or 'outline' slot is empty`);
  }
  const cast = castOf(ctx.memory);
  const setting = readSetting(ctx.memory);
  const outline = readOutline(ctx.memory);
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const objects = genreProfileNamed(logline?.genre, premise).objects;
  // What the writers must not contradict: on a rewrite what the written scenes established, and always the plan's facts.
  const facts = continuityLedger(previousFacts(ctx.previous), keptFacts(readSceneList(ctx.memory)), planRead, planFacts(cards, cast));
  return cards.map((card, index) => {
    const previous = index > 0 ? cards[index - 1] : undefined;
    const notes = notesFor(ctx, card.number);
    const place = setting ? findPlace(card.location, setting.locations) : undefined;
    const present = sceneSpeakers(card, cast);
    return {
      card,
      previous,
      cast,
      present,
      notes,
      context: { cards, index, cast, setting, outline, facts },
      material: {
        card,
        speakers: present,
        placeDescription: place?.description ?? `${card.location}.`,
        focus: sceneFocus(card, objects),
        firstVisit: !cards.slice(0, index).some((earlier) => earlier.location === card.location),
        previousSummary: previous?.summary,
        notes,
        variant: ctx.variant ?? 0,
        random: new SeededRandom(seedOf(kind, premise, logline, card, previous?.summary, cast, notes, ...(ctx.variant ? [ctx.variant] : []))),
      },
    };
  });
}

/**
 * Writes every scene, up to `concurrency` at once. In a review's revision, a scene without notes keeps its
 * previous version exactly (`kept`) and costs no model call.
 */
export function writeScenes<R>(
  ctx: NodeContext<SceneWritingConfig>,
  jobs: SceneJob[],
  write: (job: SceneJob) => Promise<R>,
  kept?: (job: SceneJob) => R | undefined,
): Promise<R[]> {
  return mapWithConcurrency(jobs, ctx.config.concurrency, async (job) => {
    if (ctx.signal.aborted) throw new StoryloomError('cancelled', 'run cancelled');
    if (ctx.revisionNotes && job.notes.length === 0) {
      const previous = kept?.(job);
      if (previous !== undefined) return previous;
    }
    return write(job);
  });
}

/** How one writing node turns a scene job into its prompt, its offline text and its output for the scene. */
export interface SceneWriter<R> {
  stage: 'dialogue' | 'prose';
  prompt(job: SceneJob): string;
  offline(job: SceneJob): string;
  read(text: string, job: SceneJob): R;
  /** The scene's output in the previous version (what a revision keeps when the scene has no notes). */
  previous(number: number): R | undefined;
  /** The scene as a reader sees it: its text, and the narration facts are read from. */
  reading(value: R): ReviewScene;
}

/** Every scene written, and the continuity facts read from the text of each. */
export interface WrittenScenes<R> {
  scenes: R[];
  continuity: ContinuityFact[];
  /** What the facts were read from: the scenes as written. */
  continuityKey: string;
}

/**
 * Every scene of the cards written by `writer`, one model call per scene (none for scenes a revision keeps), and
 * after each scene is written the facts its text establishes (a kept scene keeps the facts read before).
 */
export async function writeEveryScene<R>(ctx: NodeContext<SceneWritingConfig>, writer: SceneWriter<R>): Promise<WrittenScenes<R>> {
  const earlier = previousFacts(ctx.previous);
  const cast = castOf(ctx.memory);
  // Cards built from an outline (no scene list) had no reading after planning: the first draft reads them itself.
  const planRead = readSceneList(ctx.memory) || ctx.previous !== undefined || ctx.model.offline ? [] : await readPlanFacts(ctx.model, ctx.inputs, sceneCardsOf(ctx.memory), cast);
  const written = await writeScenes(
    ctx,
    sceneJobs(ctx, writer.stage, planRead),
    async (job) => {
      const text = await ctx.model.text({
        label: `scene-${job.card.number}`,
        system: systemFor(writer.stage, ctx.inputs),
        prompt: writer.prompt(job),
        offline: () => writer.offline(job),
      });
      const value = writer.read(text, job);
      const page = writer.reading(value);
      // A rewrite that came back word for word establishes what it did before: its facts are not read again.
      const before = writer.previous(job.card.number);
      if (before !== undefined && writer.reading(before).text === page.text) return { value, facts: earlier.filter((item) => item.scene === job.card.number) };
      return { value, facts: await readSceneFacts(ctx.model, ctx.inputs, job.card.number, page.text, page.narration, cast) };
    },
    (job) => {
      const value = writer.previous(job.card.number);
      return value === undefined ? undefined : { value, facts: earlier.filter((item) => item.scene === job.card.number) };
    },
  );
  const scenes = written.map((w) => w.value);
  // The plan's facts go with the first draft's own (a kept scene keeps both on a rewrite).
  return { scenes, continuity: continuityLedger(planRead, written.flatMap((w) => w.facts)), continuityKey: sourceKey(scenes) };
}

/** What a scene writer's instruction says about length, in words. */
export function lengthInstruction(ctx: NodeContext<SceneWritingConfig>): string {
  const words = sceneWords(styleOf(ctx.inputs));
  return `Aim for ${words.min}–${words.max} words.`;
}
