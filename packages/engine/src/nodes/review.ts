import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { ID_PATTERN } from '../pipeline/schema';
import { MAX_REVIEW_PASSES, RubricSchema, ReviewSchema, type Review, type ReviewIssue, type ReviewPass, type Rubric } from '../story/types';
import { buildPrompt, castText, loglineText } from '../story/prompt';
import { PREMISE_INPUT, beatsOf, castOf, premiseOf, readLogline, readOutline, readSetting } from '../story/memory';
import { checkCeiling, runChecks, type CheckContext } from '../review/checks';
import { reviewDocumentOf, type ReviewDocument } from '../review/text';
import { StoryloomError } from '../errors';

const ConfigSchema = z.strictObject({
  target: z.string().regex(ID_PATTERN, 'target must be a node id'),
  threshold: z.number().min(1).max(10).default(7),
  maxRevisions: z.number().int().min(0).max(MAX_REVIEW_PASSES - 1).default(1),
});
type Config = z.infer<typeof ConfigSchema>;

/** Keeps the rubric prompt within a model's context: long scripts are judged on their beginning and end. */
const MAX_TEXT_CHARS = 24_000;

export function rubricPrompt(ctx: NodeContext<Config>, document: ReviewDocument, issues: ReviewIssue[]): string {
  let text = document.scenes.map((s) => s.text).join('\n\n');
  if (text.length > MAX_TEXT_CHARS) text = `${text.slice(0, MAX_TEXT_CHARS / 2)}\n[…]\n${text.slice(-MAX_TEXT_CHARS / 2)}`;
  return buildPrompt(
    [
      { label: 'Premise', body: premiseOf(ctx.inputs, ctx.memory) },
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Characters', body: castText(castOf(ctx.memory)) },
      { label: document.kind === 'screenplay' ? 'Screenplay' : 'Story', body: text },
      { label: 'Continuity issues already found', body: issues.map((i) => `- ${i.message}`).join('\n') || 'None.' },
      { label: 'Notes from the producer', body: ctx.feedback.map((n) => `- ${n}`).join('\n') || undefined },
    ],
    'Judge this text as a story editor. Score from 1 to 10: coherence (events follow, characters stay consistent), ' +
      'relevance (it tells the premise and logline), interest (specific, surprising, not formulaic), and an overall ' +
      'score. Is it story text rather than commentary about a story? Name the most important fix in one sentence.' +
      '\nAnswer as JSON: {"coherence": integer, "relevance": integer, "interest": integer, "score": integer, "comment": string}.',
  );
}

/** Offline rubric: a deterministic function of the check results. */
export function offlineRubric(issues: readonly ReviewIssue[]): Rubric {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const clamp = (n: number): number => Math.max(1, Math.min(10, n));
  const coherence = clamp(9 - 2 * errors - warnings);
  const relevance = clamp(8 - errors);
  const interest = clamp(7 - warnings);
  const score = clamp(Math.min(checkCeiling(issues), Math.round((coherence + relevance + interest) / 3) + 1));
  const comment =
    issues.length === 0
      ? 'Consistent and on premise; the offline writer is formulaic, so judge real models on interest.'
      : `Fix first: ${issues[0].message}.`;
  return { coherence, relevance, interest, score, comment };
}

interface Assessment {
  issues: ReviewIssue[];
  rubric: Rubric;
  score: number;
  notes: string[];
}

async function assess(ctx: NodeContext<Config>, output: unknown, round: number): Promise<Assessment> {
  const document = reviewDocumentOf(output);
  if (!document) {
    throw new StoryloomError('invalid_input', `review '${ctx.nodeId}' cannot read the output of '${ctx.config.target}': expected dialogue, a prose draft or text`);
  }
  const outline = readOutline(ctx.memory);
  const setting = readSetting(ctx.memory);
  const logline = readLogline(ctx.memory);
  const checkContext: CheckContext = {
    document,
    cast: castOf(ctx.memory),
    expectedScenes: outline ? beatsOf(outline).length : undefined,
    knownWords: new Set(
      [logline?.title ?? '', ...(setting?.locations.map((l) => l.name) ?? [])].join(' ').normalize('NFC').toLowerCase().match(/[\p{L}\p{M}]+/gu) ?? [],
    ),
  };
  const issues = runChecks(checkContext);
  const rubric = await ctx.model.json({
    label: round === 0 ? 'rubric' : `rubric-${round}`,
    prompt: rubricPrompt(ctx, document, issues),
    schema: RubricSchema,
    offline: () => offlineRubric(issues),
  });
  // Deterministic findings cap what a model's rubric can award.
  const score = Math.max(1, Math.min(rubric.score, checkCeiling(issues)));
  const notes = [...issues.map((i) => i.message), ...ctx.feedback];
  if (score < ctx.config.threshold && rubric.comment) notes.push(rubric.comment);
  return { issues, rubric, score, notes };
}

function passOf(assessment: Assessment): ReviewPass {
  return { score: assessment.score, issues: assessment.issues, notes: assessment.notes };
}

export const reviewNode: NodeType<Config, Review> = {
  type: 'review',
  title: 'Review',
  description:
    'Continuity checks (cues not in the cast, near-duplicate names, repeated blocks, assistant chatter, headings, ' +
    'first person) plus a rubric score; below the threshold it sends notes back to its target to rewrite.',
  category: 'check',
  configSchema: ConfigSchema,
  outputSchema: ReviewSchema,
  readsInputs: [PREMISE_INPUT],
  reads: () => [
    { slot: 'dialogue', alternatives: ['draft'], optional: true, description: "The target's text (dialogue or prose draft); the review reads it from the target itself." },
    { slot: 'characters', optional: true },
    { slot: 'outline', optional: true },
    { slot: 'logline', optional: true },
    { slot: 'setting', optional: true },
  ],
  writes: 'review',
  usesModel: true,
  run: async (ctx) => {
    const target = ctx.target;
    if (!target) throw new StoryloomError('invalid_input', `review '${ctx.nodeId}' has no target to review ('${ctx.config.target}')`);
    let output = target.output;
    let revisions = 0;
    let result = await assess(ctx, output, 0);
    const passes: ReviewPass[] = [passOf(result)];
    // A producer's reject notes count as failing: the target rewrites with them.
    const failing = (r: Assessment): boolean => r.score < ctx.config.threshold || (revisions === 0 && ctx.feedback.length > 0);
    while (failing(result) && revisions < ctx.config.maxRevisions) {
      if (ctx.signal.aborted) throw new StoryloomError('cancelled', 'run cancelled');
      output = await target.revise(result.notes);
      revisions++;
      result = await assess(ctx, output, revisions);
      passes.push(passOf(result));
    }
    return {
      target: target.nodeId,
      score: result.score,
      threshold: ctx.config.threshold,
      passed: result.score >= ctx.config.threshold,
      issues: result.issues,
      notes: result.notes,
      revisions,
      rubric: result.rubric,
      passes,
    };
  },
};
