import type { NodeContext, NodeType } from './types';
import { DraftSchema, type Draft } from '../story/types';
import { buildPrompt, castText, loglineText, rewriteInstruction, sceneCardText } from '../story/prompt';
import { PREMISE_INPUT, readLogline } from '../story/memory';
import { sceneClosing, sceneExchanges, sceneOpening, timePhrase } from '../story/scene-writer';
import { capitalize, listNames, lowerFirst, placePhrase } from '../story/text';
import { SceneWritingConfigSchema, sceneJobs, sceneWritingReads, writeScenes, type SceneJob, type SceneWritingConfig } from './scene-writing';

type Config = SceneWritingConfig;

export function proseScenePrompt(ctx: NodeContext<Config>, job: SceneJob): string {
  const earlier = job.notes.length > 0 ? DraftSchema.safeParse(ctx.previous).data?.passages.find((p) => p.number === job.card.number) : undefined;
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Characters', body: castText(job.material.speakers.length > 0 ? job.material.speakers : job.cast) },
      { label: 'Place', body: `${job.card.location}: ${job.material.placeDescription}` },
      { label: 'Previous scene', body: job.previous ? `Scene ${job.previous.number}: ${job.previous.summary}` : 'None: this is the opening.' },
      { label: `In this scene (${job.card.number})`, body: sceneCardText(job.card) },
      { label: 'Your previous version', body: earlier?.text },
      { label: 'Notes to address', body: job.notes.length > 0 ? job.notes.map((n) => `- ${n}`).join('\n') : undefined },
    ],
    `Write the passage for scene ${job.card.number} as prose, three to five paragraphs, in the third person and past ` +
      'tense. Make the beat happen, keep the characters consistent with their descriptions, use dialogue in quotation ' +
      'marks where it helps, and do not repeat sentences.' +
      rewriteInstruction(job.notes) +
      '\nAnswer with the passage text only: no title, no commentary.',
  );
}

/** Offline: the same scene material as dialogue, narrated in the third person, past tense. */
export function offlineProsePassage(job: SceneJob): string {
  const { material } = job;
  const names = material.speakers.map((c) => c.name);
  const exchanges = sceneExchanges(material).slice(0, 4);
  const opening =
    `${sceneOpening(material, 'past')} ${listNames(names) || 'Nobody'} ${names.length > 1 ? 'were' : 'was'} there because ` +
    `${lowerFirst(job.card.beat.replace(/\.$/, ''))}.`;
  const talk = exchanges.map((e) => `${quote(e.text)} ${speechVerb(e.text, material.random)} ${e.speaker.name}${e.parenthetical ? `, ${e.parenthetical}` : ''}.`).join(' ');
  const hero = material.speakers[0];
  const when = timePhrase(job.card);
  const want = lowerFirst(hero?.want.replace(/\.$/, '') ?? '');
  const thoughts = [
    `${hero?.name} thought of ${material.focus} and wanted, more than ever, ${want}.`,
    `All ${hero?.name} could think about in ${placePhrase(job.card.location)} ${when} was ${material.focus}.`,
    `What ${hero?.name} wanted ${when} was simple, ${want}, and ${material.focus} stood in the way.`,
    `${hero?.name} kept coming back to ${material.focus} ${when}, as if it could answer for everyone.`,
    `${capitalize(when)}, ${hero?.name} turned ${material.focus} over and over and said nothing.`,
  ];
  const inner = hero ? material.random.pick(thoughts) : '';
  return [opening, talk, `${inner} ${sceneClosing(material, 'past')}`.trim()].filter(Boolean).join('\n\n');
}

/** “Line,” with the sentence's closing full stop turned into the comma before a speech tag. */
function quote(text: string): string {
  return `“${text.replace(/\.$/, ',')}”`;
}

function speechVerb(text: string, random: { pick<T>(items: readonly T[]): T }): string {
  return text.endsWith('?') ? 'asked' : random.pick(['said', 'said', 'answered', 'replied']);
}

export const proseNode: NodeType<Config, Draft> = {
  type: 'prose',
  title: 'Prose',
  description: 'One prose passage per scene card, third person, written in parallel; each sees the previous scene’s summary.',
  category: 'write',
  configSchema: SceneWritingConfigSchema,
  outputSchema: DraftSchema,
  readsInputs: [PREMISE_INPUT],
  reads: sceneWritingReads,
  writes: 'draft',
  usesModel: true,
  run: async (ctx) => {
    const jobs = sceneJobs(ctx, 'prose');
    const passages = await writeScenes(ctx, jobs, async (job) => {
      const text = await ctx.model.text({
        label: `scene-${job.card.number}`,
        prompt: proseScenePrompt(ctx, job),
        offline: () => offlineProsePassage(job),
      });
      return { number: job.card.number, title: job.card.location, text: text.trim() };
    });
    return { passages };
  },
};
