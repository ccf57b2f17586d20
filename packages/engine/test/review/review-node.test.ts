import { getNodeType } from '../../src/nodes/catalogue';
import type { ModelCaller, ReviewTarget } from '../../src/nodes/types';
import { DialogueSchema, ReviewSchema, type Dialogue, type Review } from '../../src/story/types';
import { directCaller } from '../support/direct-caller';
import { PREMISES, planAndWrite, runNode } from '../support/story-chain';

const premise = PREMISES[0];

/** A dialogue with an unknown cue and assistant chatter in scene 2. */
function spoiled(dialogue: Dialogue): Dialogue {
  const scenes = structuredClone(dialogue.scenes);
  scenes[1].elements.unshift({ type: 'action', text: 'Sure, here is the scene you asked for.' });
  scenes[1].elements.push({ type: 'line', character: 'HENRIK', parenthetical: null, text: 'Who are all these people?' });
  return { scenes };
}

/** A target that records its revisions; `rewrite` decides what each revision returns. */
function target(output: unknown, rewrite: (notes: string[], round: number) => Promise<unknown>): ReviewTarget & { revisions: string[][] } {
  const revisions: string[][] = [];
  return {
    nodeId: 'lines',
    type: 'dialogue',
    slot: 'dialogue',
    output,
    revisions,
    async revise(notes) {
      revisions.push(notes);
      return rewrite(notes, revisions.length);
    },
  };
}

describe('review node', () => {
  let memory: Record<string, unknown>;
  let good: Dialogue;
  beforeAll(async () => {
    memory = await planAndWrite(premise, 4);
    good = DialogueSchema.parse(memory.dialogue);
  });

  const review = async (reviewTarget: ReviewTarget, config: Record<string, unknown> = {}, model?: ModelCaller, feedback?: string[]): Promise<Review> =>
    ReviewSchema.parse(await runNode('review', { premise }, memory, { config: { target: 'lines', ...config }, target: reviewTarget, model, feedback }));

  test('a bad draft is sent back with notes naming the problems; the rewrite is re-checked', async () => {
    // The target rewrites with the real dialogue node, the notes as feedback.
    const reviewTarget = target(spoiled(good), (notes, _round) => runNode('dialogue', { premise }, memory, { feedback: notes, previous: spoiled(good) }));
    const result = await review(reviewTarget);
    expect(reviewTarget.revisions).toHaveLength(1);
    const notes = reviewTarget.revisions[0];
    expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/Scene 2: cue 'HENRIK' is not in the cast/), expect.stringMatching(/Scene 2: assistant chatter/)]));
    expect(result).toMatchObject({ target: 'lines', revisions: 1, passed: true, issues: [] });
    expect(result.score).toBeGreaterThanOrEqual(7);
  });

  test('the output keeps every pass: what the first reading found and fixed, then the final reading', async () => {
    const reviewTarget = target(spoiled(good), async (_notes, round) => (round === 2 ? good : spoiled(good)));
    const result = await review(reviewTarget, { maxRevisions: 5 });
    expect(result.passes).toHaveLength(result.revisions + 1);
    expect(result.passes).toHaveLength(3);
    const [first, second, last] = result.passes;
    expect(first.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['unknown_character', 'assistant_chatter']));
    expect(first.score).toBeLessThan(7);
    expect(first.notes).toEqual(reviewTarget.revisions[0]);
    expect(second.notes).toEqual(reviewTarget.revisions[1]);
    // The final pass is the one the top-level fields report.
    expect(last).toEqual({ score: result.score, issues: result.issues, notes: result.notes });
    expect(result.issues).toEqual([]);
    // The node's output schema carries the passes (the runner validates outputs with it).
    expect(getNodeType('review')!.outputSchema.safeParse({ ...result, passes: undefined }).success).toBe(false);
  });

  test('revises at most maxRevisions times when the rewrite stays bad', async () => {
    for (const maxRevisions of [0, 1, 3]) {
      const reviewTarget = target(spoiled(good), async () => spoiled(good));
      const result = await review(reviewTarget, { maxRevisions });
      expect(reviewTarget.revisions).toHaveLength(maxRevisions);
      expect(result).toMatchObject({ revisions: maxRevisions, passed: false });
      expect(result.score).toBeLessThan(7);
      expect(result.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['unknown_character', 'assistant_chatter']));
    }
  });

  test('stops revising as soon as the score reaches the threshold', async () => {
    const reviewTarget = target(spoiled(good), async (_notes, round) => (round === 2 ? good : spoiled(good)));
    const result = await review(reviewTarget, { maxRevisions: 5 });
    expect(reviewTarget.revisions).toHaveLength(2);
    expect(result).toMatchObject({ revisions: 2, passed: true });
  });

  test('the threshold decides: a strict reviewer sends good work back', async () => {
    const reviewTarget = target(good, async () => good);
    const result = await review(reviewTarget, { threshold: 10, maxRevisions: 2 });
    expect(reviewTarget.revisions).toHaveLength(2);
    expect(result.passed).toBe(false);
  });

  test('a producer’s reject notes are passed on to the target', async () => {
    const reviewTarget = target(good, async () => good);
    const result = await review(reviewTarget, {}, undefined, ['Give Kofi more to do.']);
    expect(reviewTarget.revisions).toEqual([['Give Kofi more to do.']]);
    expect(result.passed).toBe(true);
  });

  test('a model rubric cannot outscore the deterministic findings', async () => {
    const generous = directCaller();
    const model: ModelCaller = {
      text: (call) => generous.text(call),
      json: async (call) => call.schema.parse({ coherence: 10, relevance: 10, interest: 10, score: 10, comment: 'Perfect.' }),
    };
    const result = await review(target(spoiled(good), async () => spoiled(good)), { maxRevisions: 0 }, model);
    expect(result.rubric.score).toBe(10);
    expect(result.score).toBeLessThanOrEqual(4);
    expect(result.passed).toBe(false);
  });

  test('the rubric prompt has the labelled sections and the issues found', async () => {
    const model = directCaller();
    await review(target(spoiled(good), async () => spoiled(good)), { maxRevisions: 0 }, model);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]).toMatchObject({ kind: 'json', label: 'rubric' });
    for (const section of ['Premise:', 'Logline:', 'Characters:', 'Screenplay:', 'Continuity issues already found:']) expect(model.calls[0].prompt).toContain(section);
    expect(model.calls[0].prompt).toContain("cue 'HENRIK'");
  });

  test('without a target, or with an unreadable one, it says so', async () => {
    await expect(runNode('review', { premise }, memory, { config: { target: 'lines' } })).rejects.toThrow(/no target/);
    await expect(review(target({ acts: [] }, async () => null))).rejects.toThrow(/cannot read the output of 'lines'/);
  });

  test('reviews prose drafts too', async () => {
    const draft = structuredClone(memory.draft) as { passages: Array<{ text: string }> };
    draft.passages[0].text = `I woke up and my head hurt. I could not remember ${draft.passages[0].text}`;
    const reviewTarget: ReviewTarget = { nodeId: 'story', type: 'prose', slot: 'draft', output: draft, revise: async () => memory.draft };
    const result = ReviewSchema.parse(await runNode('review', { premise }, memory, { config: { target: 'story', maxRevisions: 0 }, target: reviewTarget }));
    expect(result.issues).toContainEqual(expect.objectContaining({ code: 'first_person', sceneNumber: 1 }));
  });

  test('is described as reading the target text, characters and outline', () => {
    const reads = getNodeType('review')!.reads({ target: 'lines', threshold: 7, maxRevisions: 1 }).map((r) => r.slot);
    expect(reads).toEqual(expect.arrayContaining(['dialogue', 'characters', 'outline']));
  });
});
