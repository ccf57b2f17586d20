import type { NodeContext, NodeType } from './types';
import { DialogueSchema, type Dialogue, type DialogueScene } from '../story/types';
import { buildPrompt, castText, loglineText, rewriteInstruction, sceneCardText } from '../story/prompt';
import { PREMISE_INPUT, readLogline } from '../story/memory';
import { parseScreenplayScene, screenplaySceneText } from '../story/screenplay';
import { sceneClosing, sceneExchanges, sceneOpening } from '../story/scene-writer';
import { SceneWritingConfigSchema, sceneJobs, sceneWritingReads, writeScenes, type SceneJob, type SceneWritingConfig } from './scene-writing';

type Config = SceneWritingConfig;

function previousVersion(ctx: NodeContext<Config>, number: number): DialogueScene | undefined {
  return DialogueSchema.safeParse(ctx.previous).data?.scenes.find((scene) => scene.number === number);
}

export function dialogueScenePrompt(ctx: NodeContext<Config>, job: SceneJob): string {
  const present = job.cast.filter((c) => job.material.speakers.includes(c));
  const earlier = job.notes.length > 0 ? previousVersion(ctx, job.card.number) : undefined;
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Characters', body: castText(present.length > 0 ? present : job.cast) },
      { label: 'Place', body: `${job.card.location}: ${job.material.placeDescription}` },
      { label: 'Previous scene', body: job.previous ? `Scene ${job.previous.number}: ${job.previous.summary}` : 'None: this is the opening scene.' },
      { label: `In this scene (${job.card.number})`, body: sceneCardText(job.card) },
      { label: 'Your previous version', body: earlier ? screenplaySceneText(earlier) : undefined },
      { label: 'Notes to address', body: job.notes.length > 0 ? job.notes.map((n) => `- ${n}`).join('\n') : undefined },
    ],
    `Write scene ${job.card.number} as a screenplay scene in Fountain format: first the heading "${job.card.heading}", ` +
      'then action paragraphs and dialogue. Each character cue is the character\'s name in capitals on its own line ' +
      `(only these names: ${job.cast.map((c) => c.name.toUpperCase()).join(', ')}), followed by their line; a ` +
      'parenthetical such as (quietly) goes on its own line under the cue. Make the beat happen on screen, keep each ' +
      'character in their own voice, and do not repeat lines.' +
      rewriteInstruction(job.notes) +
      '\nAnswer with the scene text only: no title, no commentary, no Markdown.',
  );
}

/** Offline: heading, an action paragraph, six to nine lines among those present, a closing action. */
export function offlineDialogueScene(job: SceneJob): string {
  const exchanges = sceneExchanges(job.material);
  const blocks = [job.card.heading, sceneOpening(job.material, 'present')];
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
  description: 'One screenplay scene per scene card, written in parallel; each sees the previous scene’s summary.',
  category: 'write',
  configSchema: SceneWritingConfigSchema,
  outputSchema: DialogueSchema,
  readsInputs: [PREMISE_INPUT],
  reads: sceneWritingReads,
  writes: 'dialogue',
  usesModel: true,
  run: async (ctx) => {
    const jobs = sceneJobs(ctx, 'dialogue');
    const scenes = await writeScenes(ctx, jobs, async (job) => {
      const text = await ctx.model.text({
        label: `scene-${job.card.number}`,
        prompt: dialogueScenePrompt(ctx, job),
        offline: () => offlineDialogueScene(job),
      });
      return parseScreenplayScene(text, job.card.number, job.cast);
    });
    return { scenes };
  },
};
