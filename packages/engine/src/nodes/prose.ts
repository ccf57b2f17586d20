// The `prose` node: the story as prose, one passage per scene card (the `scenes` slot, else the outline's beats),
// written in parallel, past tense, in the point of view the `pov` input asks for, into the `draft` slot. The offline
// writer narrates the same scene material as the dialogue writer in the third person, citing the card's beat rather
// than narrating it, and marks what it wrote as placeholder text.
import type { NodeContext, NodeType } from './types';
import { DraftSchema, type Draft, type Passage } from '../story/types';
import { buildPrompt, castText, loglineText, rewriteInstruction, sceneCardText } from '../story/prompt';
import { sceneContextSections } from '../story/scene-context';
import { STYLE_INPUTS, exampleSection, pointOfView, styleOf } from '../story/style';
import { PREMISE_INPUT, readLogline } from '../story/memory';
import { sceneClosing, sceneExchanges, sceneOpening, timePhrase } from '../story/scene-writer';
import { capitalize, listNames, lowerFirst, placePhrase } from '../story/text';
import { SceneWritingConfigSchema, lengthInstruction, sceneWritingCalls, sceneWritingReads, writeEveryScene, type SceneJob, type SceneWritingConfig } from './scene-writing';
import { reviewDocumentOf } from '../review/text';

type Config = SceneWritingConfig;

function previousPassage(ctx: NodeContext<Config>, number: number): Passage | undefined {
  return DraftSchema.safeParse(ctx.previous).data?.passages.find((p) => p.number === number);
}

const POV_INSTRUCTIONS = {
  third: 'in the third person (close on the scene\'s main character)',
  first: 'in the first person, narrated by the scene\'s main character',
  second: 'in the second person',
} as const;

export function proseScenePrompt(ctx: NodeContext<Config>, job: SceneJob): string {
  const earlier = job.notes.length > 0 ? previousPassage(ctx, job.card.number) : undefined;
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      ...sceneContextSections(job.context),
      { label: 'Place', body: `${job.card.location}: ${job.material.placeDescription}` },
      { label: 'Characters in this scene', body: castText(job.present) },
      { label: `In this scene (${job.card.number})`, body: sceneCardText(job.card) },
      exampleSection('prose'),
      { label: 'Your previous version', body: earlier?.text },
      { label: 'Notes to address', body: job.notes.length > 0 ? job.notes.map((n) => `- ${n}`).join('\n') : undefined },
    ],
    `Write the passage for scene ${job.card.number} as prose, three to five paragraphs, ` +
      `${POV_INSTRUCTIONS[pointOfView(styleOf(ctx.inputs))]}, past tense. Play the steps in order so the turn and the ` +
      'outcome happen, keep the characters consistent with their descriptions and pronouns (anyone not listed is an ' +
      'unnamed passer-by), use dialogue in quotation marks where it helps, and do not repeat sentences. ' +
      lengthInstruction(ctx) +
      rewriteInstruction(job.notes) +
      '\nAnswer with the passage text only: no title, no commentary, no Markdown.',
  );
}

/** Offline: the same scene material as dialogue, narrated in the third person, past tense. */
export function offlineProsePassage(job: SceneJob): string {
  const { material } = job;
  const names = material.speakers.map((c) => c.name);
  const exchanges = sceneExchanges(material).slice(0, 4);
  // The beat is cited, not narrated: the placeholder shows which beat it stands in for without bending its tense.
  const opening =
    `${sceneOpening(material, 'past')} ${listNames(names) || 'Nobody'} ${names.length > 1 ? 'were' : 'was'} there. ` +
    `What followed was the outline’s beat: ${lowerFirst(job.card.beat.replace(/\.$/, ''))}.`;
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
  description:
    'One prose passage per scene card (third person unless the `pov` input says otherwise), written in parallel; each ' +
    'sees the world, its place in the story, the scenes before it in one line each, its neighbours’ beats and the continuity facts.',
  category: 'write',
  configSchema: SceneWritingConfigSchema,
  outputSchema: DraftSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: sceneWritingReads,
  writes: 'draft',
  usesModel: true,
  plannedCalls: sceneWritingCalls,
  run: async (ctx) => {
    const written = await writeEveryScene(ctx, {
      stage: 'prose',
      prompt: (job) => proseScenePrompt(ctx, job),
      offline: offlineProsePassage,
      read: (text, job) => ({ number: job.card.number, title: job.card.location, text: text.trim() }),
      previous: (number) => previousPassage(ctx, number),
      reading: (passage) => reviewDocumentOf({ passages: [passage] })!.scenes[0],
    });
    const draft = { passages: written.scenes, continuity: written.continuity, continuityKey: written.continuityKey };
    return ctx.model.offline ? { ...draft, placeholder: true } : draft;
  },
};
