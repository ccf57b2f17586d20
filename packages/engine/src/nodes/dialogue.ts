// The `dialogue` node: the screenplay, one Fountain scene per scene card (the `scenes` slot, else the outline's beats),
// written in parallel into the `dialogue` slot; each call sees its card, only the cast on it, the place and the story
// around it, and its answer is parsed back into a screenplay scene. The offline writer plays the card's beat as action
// between lines of the scene's cast, and marks what it wrote as placeholder text.
import type { NodeContext, NodeType } from './types';
import { DialogueSchema, type Dialogue, type DialogueScene } from '../story/types';
import { buildPrompt, castText, loglineText, rewriteInstruction, sceneCardText } from '../story/prompt';
import { sceneContextSections } from '../story/scene-context';
import { STYLE_INPUTS, exampleSection } from '../story/style';
import { PREMISE_INPUT, readLogline } from '../story/memory';
import { parseScreenplayScene, screenplaySceneText } from '../story/screenplay';
import { reviewDocumentOf, type ReviewScene } from '../review/text';
import { sceneClosing, sceneExchanges, sceneOpening } from '../story/scene-writer';
import { SceneWritingConfigSchema, lengthInstruction, sceneWritingCalls, sceneWritingReads, writeEveryScene, type SceneJob, type SceneWritingConfig } from './scene-writing';

type Config = SceneWritingConfig;

function previousVersion(ctx: NodeContext<Config>, number: number): DialogueScene | undefined {
  return DialogueSchema.safeParse(ctx.previous).data?.scenes.find((scene) => scene.number === number);
}

export function dialogueScenePrompt(ctx: NodeContext<Config>, job: SceneJob): string {
  const earlier = job.notes.length > 0 ? previousVersion(ctx, job.card.number) : undefined;
  const cues = job.present.map((c) => c.name.toUpperCase());
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      ...sceneContextSections(job.context),
      { label: 'Place', body: `${job.card.location}: ${job.material.placeDescription}` },
      { label: 'Characters in this scene', body: castText(job.present) },
      { label: `In this scene (${job.card.number})`, body: sceneCardText(job.card) },
      exampleSection('dialogue'),
      { label: 'Your previous version', body: earlier ? screenplaySceneText(earlier) : undefined },
      { label: 'Notes to address', body: job.notes.length > 0 ? job.notes.map((n) => `- ${n}`).join('\n') : undefined },
    ],
    `Write scene ${job.card.number} as a screenplay scene in Fountain format: first the heading "${job.card.heading}", ` +
      'then action paragraphs and dialogue. Each character cue is the character\'s name in capitals on its own line ' +
      `(only these names: ${cues.join(', ')}), followed by their line; a parenthetical such as (quietly) goes on its ` +
      'own line under the cue. Anyone else who must appear is an unnamed walk-on cued by role (WAITER, GUARD, NURSE) ' +
      'with at most two short lines. Play the steps in order so the turn and the outcome happen on screen, keep each ' +
      `character in their own voice and pronouns, and do not repeat lines. ${lengthInstruction(ctx)}` +
      rewriteInstruction(job.notes) +
      '\nAnswer with the scene text only: plain Fountain, no title, no commentary, no Markdown (no ** or #).',
  );
}

/** A written scene as the review reads it; its heading counts as narration (a "(FLASHBACK)" says when it is). */
function readingOf(scene: DialogueScene): ReviewScene {
  const page = reviewDocumentOf({ scenes: [scene] })!.scenes[0];
  return { ...page, narration: `${scene.heading}\n${page.narration}` };
}

/** Offline: heading, an action paragraph, six to nine lines among those present, a closing action. */
export function offlineDialogueScene(job: SceneJob): string {
  const exchanges = sceneExchanges(job.material);
  // Screenplay action is in the present tense, as beats are: the beat itself is played as action.
  const blocks = [job.card.heading, sceneOpening(job.material, 'present'), job.card.beat];
  for (const exchange of exchanges) {
    const cue = exchange.speaker.name.toUpperCase();
    blocks.push([cue, exchange.parenthetical ? `(${exchange.parenthetical})` : '', exchange.text].filter(Boolean).join('\n'));
  }
  blocks.push(sceneClosing(job.material, 'present'));
  return blocks.join('\n\n');
}

export const dialogueNode: NodeType<Config, Dialogue> = {
  type: 'dialogue',
  title: 'Dialogue',
  description:
    'One screenplay scene per scene card, written in parallel; each sees the world, its place in the story, the scenes ' +
    'before it in one line each, its neighbours’ beats, the continuity facts and only the cast on its card.',
  category: 'write',
  configSchema: SceneWritingConfigSchema,
  outputSchema: DialogueSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: sceneWritingReads,
  writes: 'dialogue',
  usesModel: true,
  plannedCalls: sceneWritingCalls,
  run: async (ctx) => {
    const written = await writeEveryScene(ctx, {
      stage: 'dialogue',
      prompt: (job) => dialogueScenePrompt(ctx, job),
      offline: offlineDialogueScene,
      read: (text, job) => parseScreenplayScene(text, job.card.number, job.cast),
      previous: (number) => previousVersion(ctx, number),
      reading: readingOf,
    });
    return ctx.model.offline ? { ...written, placeholder: true } : written;
  },
};
