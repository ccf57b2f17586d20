// The `review` node: judges its target's text (dialogue, a prose draft or plain text) with model-free checks and a
// model scoring it against fixed anchors at temperature 0. On an error or a score below the threshold it sends notes
// by scene back to the target, which rewrites only those scenes (notes on the plan go to the planner), up to
// `maxRevisions` times; then the content-policy checks run. The offline judge never passes a text.
import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { ID_PATTERN } from '../pipeline/schema';
import {
  MAX_REVIEW_PASSES,
  ContinuityFactSchema,
  RubricSchema,
  ReviewSchema,
  SceneNoteSchema,
  PolicyCategorySchema,
  sceneNoteText,
  type ContinuityFact,
  type PolicyCategory,
  type PolicyFlag,
  type Outline,
  type Review,
  type ReviewIssue,
  type ReviewPass,
  type Rubric,
  type SceneCard,
  type SceneNote,
} from '../story/types';
import { buildPrompt, castText, loglineText } from '../story/prompt';
import { PREMISE_INPUT, beatsOf, castOf, premiseOf, readLogline, readOutline, readSceneList, readSetting, sceneCardsOf } from '../story/memory';
import { STYLE_INPUTS, pointOfView, sceneWords, styleOf, systemFor } from '../story/style';
import { issueNote, producerNotes, routeNotes } from '../review/routing';
import { policyFlags } from '../review/policy';
import { reviewLedger } from '../review/continuity-checks';
import { keptFacts } from '../story/continuity';
import { checkCeiling, runChecks, type CheckContext } from '../review/checks';
import { reviewDocumentOf, type ReviewDocument } from '../review/text';
import { StoryloomError } from '../errors';

const PolicyConfigSchema = z.strictObject({
  /** Categories checked besides sexual content involving minors, which is always checked. */
  categories: z.array(PolicyCategorySchema).default([]),
  /** Real people the story may mention: damaging claims about them are flagged. */
  realPeople: z.array(z.string().min(1)).default([]),
  /** Text the story must not copy from (e.g. `{{inputs.reference}}`): 12 words in a row are flagged. */
  reference: z.string().optional(),
});

const ConfigSchema = z.strictObject({
  target: z.string().regex(ID_PATTERN, 'target must be a node id'),
  threshold: z.number().min(1).max(10).default(7),
  maxRevisions: z.number().int().min(0).max(MAX_REVIEW_PASSES - 1).default(1),
  policy: PolicyConfigSchema.default({ categories: [], realPeople: [] }),
});
type Config = z.infer<typeof ConfigSchema>;

/** Keeps the rubric prompt within a model's context: long scripts are judged on their beginning and end. */
const MAX_TEXT_CHARS = 24_000;

const SCORE_ANCHORS = [
  '10: could be shot or published as it stands.',
  '8: a strong draft; only line-level polish left.',
  '7: works as a story; a few scenes need a specific fix.',
  '5: the plot is there, but scenes are generic, characters blur or beats are missing.',
  '3: confused or formulaic; a rewrite, not a revision.',
  '1: not story text (commentary, placeholder or refusal).',
].join('\n');

function numberedText(document: ReviewDocument): string {
  const text = document.scenes.map((s) => `=== Scene ${s.number} ===\n${s.text}`).join('\n\n');
  return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS / 2)}\n[…]\n${text.slice(-MAX_TEXT_CHARS / 2)}` : text;
}

function cardsText(cards: readonly SceneCard[]): string | undefined {
  if (cards.length === 0) return undefined;
  return cards.map((c) => `${c.number}. ${c.heading} | ${c.characters.join(', ')} | beat: ${c.beat} | turn: ${c.turn} | outcome: ${c.outcome}`).join('\n');
}

function outlineText(outline: Outline | undefined): string | undefined {
  return outline?.acts.map((act, i) => `Act ${i + 1}: ${act.title}\n${act.beats.map((b) => `${b.number}. ${b.summary}`).join('\n')}`).join('\n');
}

/** Continuity facts shown to the judge: past this many, the plan's "how things stand" lines are left out first. */
const MAX_JUDGE_FACTS = 48;

/** The facts kept with the text under review (read after each writing pass) and with the scene list (after planning). */
function storedFacts(ctx: NodeContext<Config>, output: unknown): ContinuityFact[] {
  const kept = [...keptFacts(output), ...keptFacts(readSceneList(ctx.memory))];
  return ContinuityFactSchema.array().safeParse(kept).data ?? [];
}

function factsText(facts: readonly ContinuityFact[]): string | undefined {
  const shown = facts.length <= MAX_JUDGE_FACTS ? facts : [...facts.filter((f) => f.kind !== 'state'), ...facts.filter((f) => f.kind === 'state')].slice(0, MAX_JUDGE_FACTS).sort((a, b) => a.scene - b.scene);
  return shown.map((fact) => `- after scene ${fact.scene}: ${fact.text}`).join('\n') || undefined;
}

export function rubricPrompt(ctx: NodeContext<Config>, document: ReviewDocument, issues: ReviewIssue[], earlier: readonly SceneNote[] = [], facts: readonly ContinuityFact[] = []): string {
  return buildPrompt(
    [
      { label: 'Premise', body: premiseOf(ctx.inputs, ctx.memory) },
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Characters', body: castText(castOf(ctx.memory)) },
      { label: 'Outline', body: outlineText(readOutline(ctx.memory)) },
      { label: 'Scene cards', body: cardsText(sceneCardsOf(ctx.memory)) },
      { label: 'Continuity facts (the text must not contradict them)', body: factsText(facts) },
      { label: document.kind === 'screenplay' ? 'Screenplay, by scene' : 'Story, by scene', body: numberedText(document) },
      { label: 'Problems the checks already found', body: issues.map((i) => `- ${i.message}`).join('\n') || 'None.' },
      { label: 'Notes given on the previous pass (say in a note if one is still not fixed)', body: earlier.map((n) => `- ${sceneNoteText(n)}`).join('\n') || undefined },
      { label: 'Notes from the producer', body: ctx.feedback.map((n) => `- ${n}`).join('\n') || undefined },
      { label: 'Score anchors', body: SCORE_ANCHORS },
    ],
    'Judge this text as a script editor, against the anchors. Score from 1 to 10: coherence (events follow, ' +
      'characters stay consistent), relevance (it tells the premise, the outline and the cards), interest (specific, ' +
      'surprising, not formulaic), and an overall score. storyText: is it story text rather than commentary about a ' +
      'story? beatsMissed: the numbers of the scenes whose card beat does not happen on the page. notes: only what ' +
      'must change, each one concrete fix, with the number of the scene it is about (null only when it concerns no ' +
      'single scene, such as the structure or the order of events: the plan is then revised); no praise. comment: your ' +
      'judgement in one sentence.' +
      '\nAnswer as JSON: {"coherence": integer, "relevance": integer, "interest": integer, "score": integer, ' +
      '"storyText": boolean, "beatsMissed": [integer], "notes": [{"scene": integer or null, "note": string}], "comment": string}.',
  );
}

/**
 * Offline rubric: the offline writer cannot judge craft, and its own text is a placeholder, so the rubric
 * says so and never awards a passing score; the deterministic checks still find what they find.
 */
export function offlineRubric(issues: readonly ReviewIssue[], threshold = 7): Rubric {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const clamp = (n: number): number => Math.max(1, Math.min(10, n));
  const coherence = clamp(6 - 2 * errors - warnings);
  const relevance = clamp(5 - errors);
  const interest = 2;
  const score = clamp(Math.min(checkCeiling(issues), Math.ceil(threshold) - 1, Math.round((coherence + relevance + interest) / 3)));
  return {
    coherence,
    relevance,
    interest,
    score,
    storyText: true,
    beatsMissed: [],
    notes: [],
    comment: `${OFFLINE_PLACEHOLDER} ${issues.length > 0 ? `The checks found ${issues.length} problem(s) to fix first.` : 'The checks found nothing.'}`,
  };
}

export const OFFLINE_PLACEHOLDER =
  'Placeholder text from the offline writer, not a model: it cannot pass a craft review; run a real model to judge the writing.';

interface Assessment {
  issues: ReviewIssue[];
  rubric: Rubric;
  score: number;
  notes: SceneNote[];
}

function judgeSchema(scenes: readonly number[]): z.ZodType<Rubric> {
  return RubricSchema.extend({
    beatsMissed: z.array(z.number().int().min(1).max(Math.max(1, ...scenes))),
    notes: z.array(SceneNoteSchema.extend({ scene: z.number().int().min(1).max(Math.max(1, ...scenes)).nullable() })),
  });
}

async function assess(ctx: NodeContext<Config>, output: unknown, round: number, earlier: readonly SceneNote[], replannable: boolean): Promise<Assessment> {
  const document = reviewDocumentOf(output);
  if (!document) {
    throw new StoryloomError('invalid_input', `review '${ctx.nodeId}' cannot read the output of '${ctx.config.target}': expected dialogue, a prose draft or text`);
  }
  const outline = readOutline(ctx.memory);
  const setting = readSetting(ctx.memory);
  const logline = readLogline(ctx.memory);
  const cast = castOf(ctx.memory);
  const cards = document.kind === 'text' ? [] : sceneCardsOf(ctx.memory);
  const style = styleOf(ctx.inputs);
  const checkContext: CheckContext = {
    document,
    cast,
    expectedScenes: outline ? beatsOf(outline).length : undefined,
    knownWords: new Set(
      [logline?.title ?? '', ...(setting?.locations.map((l) => l.name) ?? [])].join(' ').normalize('NFC').toLowerCase().match(/[\p{L}\p{M}]+/gu) ?? [],
    ),
    cards,
    pov: pointOfView(style),
    sceneWords: sceneWords(style),
    facts: storedFacts(ctx, output),
  };
  const checked = runChecks(checkContext);
  const facts = reviewLedger(checkContext);
  const scenes = document.scenes.map((s) => s.number);
  const rubric = await ctx.model.json({
    label: round === 0 ? 'rubric' : `rubric-${round}`,
    system: systemFor('review', ctx.inputs),
    prompt: rubricPrompt(ctx, document, checked, earlier, facts),
    schema: judgeSchema(scenes),
    temperature: 0,
    offline: () => offlineRubric(checked, ctx.config.threshold),
  });
  const judged: ReviewIssue[] = [
    ...rubric.beatsMissed.filter((n) => scenes.includes(n)).map((n) => ({
      code: 'beat_not_covered',
      severity: 'warning' as const,
      sceneNumber: n,
      message: `Scene ${n}: the judge finds the card's beat does not happen on the page`,
    })),
    ...(rubric.storyText ? [] : [{ code: 'not_story_text', severity: 'error' as const, message: 'the judge reads this as commentary about a story, not story text' }]),
  ];
  const issues = [...checked, ...judged.filter((j) => !checked.some((c) => c.code === j.code && c.sceneNumber === j.sceneNumber))];
  // Deterministic findings cap what a model's rubric can award.
  const score = Math.max(1, Math.min(rubric.score, checkCeiling(issues)));
  const judgedScenes = rubric.notes.flatMap((note) => (note.scene === null ? [] : [note.scene]));
  const notes = routeNotes([...issues.map(issueNote), ...rubric.notes, ...producerNotes(round === 0 ? ctx.feedback : [], scenes)], {
    cards,
    cast,
    scenes,
    judged: judgedScenes,
    replannable,
  });
  return { issues, rubric, score, notes };
}

/**
 * One pass as recorded: its findings, and which of the previous pass's notes it confirms fixed (it says nothing
 * about their scene, or about the plan, again) and which are still open.
 */
function passOf(assessment: Assessment, earlier: readonly SceneNote[]): ReviewPass {
  const again = new Set(assessment.notes.map((note) => note.scene));
  return {
    score: assessment.score,
    issues: assessment.issues,
    notes: assessment.notes,
    resolved: earlier.filter((note) => !again.has(note.scene)),
    unresolved: earlier.filter((note) => again.has(note.scene)),
  };
}

/** Card by card, the scenes a new plan changed (or added), each with the plan's notes as its own. */
function replannedNotes(before: readonly SceneCard[], after: readonly SceneCard[], planNotes: readonly SceneNote[]): SceneNote[] {
  const why = planNotes.map((n) => n.note).join('; ');
  return after
    .filter((card) => JSON.stringify(card) !== JSON.stringify(before.find((b) => b.number === card.number)))
    .map((card) => ({ scene: card.number, note: `The plan for this scene changed (${why}): play its new card.` }));
}

const JudgedFlagsSchema = z.strictObject({
  flags: z.array(z.strictObject({ category: PolicyCategorySchema, scene: z.number().int().min(1).nullable(), evidence: z.string(), message: z.string() })),
});

/**
 * Content-policy flags on the final text: the lexicon checks always, and a model as judge when one is configured
 * (the offline model has no judgement to add).
 */
async function policyReview(ctx: NodeContext<Config>, output: unknown): Promise<PolicyFlag[]> {
  const document = reviewDocumentOf(output);
  if (!document) return [];
  const { categories, realPeople, reference } = ctx.config.policy;
  const checked = policyFlags({ document, categories, realPeople, reference });
  if (ctx.model.offline) return checked;
  const on = [...new Set<PolicyCategory>(['minors', ...categories])];
  const judged = await ctx.model.json({
    label: 'policy',
    system: systemFor('review', ctx.inputs),
    prompt: buildPrompt(
      [
        { label: 'Text, by scene', body: numberedText(document) },
        { label: 'Real people the text may mention', body: realPeople.join(', ') || undefined },
      ],
      `Check this fiction for content a producer must look at before it goes out, in these categories only: ${on.join(', ')} ` +
        '(minors: sexual content involving anyone under 18; hate: dehumanising a group; graphic-violence: lingering gore; ' +
        'self-harm: instructions or encouragement; defamation: damaging false claims about a real person; verbatim: text ' +
        'copied from a known work). Flag only what is on the page, with the scene number and the words as evidence; an ' +
        'empty list when there is nothing.\nAnswer as JSON: {"flags": [{"category", "scene": integer or null, "evidence", "message"}]}.',
    ),
    schema: JudgedFlagsSchema,
    temperature: 0,
    offline: () => ({ flags: [] }),
  });
  return [...checked, ...judged.flags.filter((f) => on.includes(f.category)).map((f) => ({ ...f, source: 'judge' as const }))];
}

/** Passing: the score reaches the threshold and no finding is an error. */
function passes(assessment: Assessment, threshold: number): boolean {
  return assessment.score >= threshold && !assessment.issues.some((i) => i.severity === 'error');
}

/** The offline judge cannot judge craft: whatever the threshold, it never passes a text. */
function passesWith(model: NodeContext<Config>['model'], assessment: Assessment, threshold: number): boolean {
  return !model.offline && passes(assessment, threshold);
}

export const reviewNode: NodeType<Config, Review> = {
  type: 'review',
  title: 'Review',
  description:
    'Continuity checks (cues not in the cast or not on the scene card, near-duplicate names, repeated blocks, ' +
    'assistant chatter, Markdown, headings, beat coverage, scene length, first person) and a judge scoring against ' +
    'anchors at temperature 0, shown the continuity facts (and checking that the dead or departed do not speak, destroyed ' +
    'objects stay destroyed and time does not run backwards); any error or a score below the threshold sends notes, by ' +
    'scene, back to its target, which rewrites only those scenes; a note about the plan goes to the scene cards’ planner, ' +
    'and only the scenes whose cards change are rewritten. Each later pass confirms which earlier notes are fixed.',
  category: 'check',
  configSchema: ConfigSchema,
  outputSchema: ReviewSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: () => [
    { slot: 'dialogue', alternatives: ['draft'], optional: true, description: "The target's text (dialogue or prose draft); the review reads it from the target itself." },
    { slot: 'characters', optional: true },
    { slot: 'outline', optional: true },
    { slot: 'scenes', optional: true, description: 'The scene cards the text was written from.' },
    { slot: 'logline', optional: true },
    { slot: 'setting', optional: true },
  ],
  writes: 'review',
  usesModel: true,
  // A judge: one verdict, no alternatives; a flagged verdict goes to a person.
  capabilities: { revisesTarget: true, flagsPolicy: true, writesCandidates: false },
  run: async (ctx) => {
    const target = ctx.target;
    if (!target) throw new StoryloomError('invalid_input', `review '${ctx.nodeId}' has no target to review ('${ctx.config.target}')`);
    const replannable = target.replan !== undefined;
    // The review's own view of the story: after a new plan, its memory holds the new cards.
    let current = ctx;
    let output = target.output;
    let revisions = 0;
    let result = await assess(current, output, 0, [], replannable);
    const history: ReviewPass[] = [passOf(result, [])];
    // Notes on a scene go to the target; notes on no scene go to the planner when there is one, else nowhere.
    const actionable = (r: Assessment): SceneNote[] => r.notes.filter((n) => n.scene !== null || replannable);
    // A producer's reject notes count as failing: the target rewrites with them.
    const failing = (r: Assessment): boolean => !passesWith(ctx.model, r, ctx.config.threshold) || (revisions === 0 && ctx.feedback.length > 0);
    while (failing(result) && actionable(result).length > 0 && revisions < ctx.config.maxRevisions) {
      if (ctx.signal.aborted) throw new StoryloomError('cancelled', 'run cancelled');
      const earlier = actionable(result);
      let notes = earlier.filter((n) => n.scene !== null);
      const planNotes = earlier.filter((n) => n.scene === null);
      if (planNotes.length > 0) {
        const plan = await target.replan!(planNotes.map((n) => n.note));
        const before = sceneCardsOf(current.memory);
        current = { ...current, memory: { ...current.memory, [plan.slot]: plan.output } };
        notes = [...notes, ...replannedNotes(before, sceneCardsOf(current.memory), planNotes)];
      }
      // A new plan that changed no scene leaves nothing to rewrite.
      if (notes.length === 0) break;
      output = await target.revise(notes);
      revisions++;
      result = await assess(current, output, revisions, earlier, replannable);
      history.push(passOf(result, earlier));
    }
    const policy = await policyReview(ctx, output);
    return {
      target: target.nodeId,
      score: result.score,
      threshold: ctx.config.threshold,
      passed: passesWith(ctx.model, result, ctx.config.threshold),
      issues: result.issues,
      notes: result.notes,
      revisions,
      rubric: result.rubric,
      policy,
      passes: history,
    };
  },
};
