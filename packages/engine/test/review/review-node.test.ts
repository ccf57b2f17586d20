import { getNodeType } from '../../src/nodes/catalogue';
import { outputSchemaOf, type ModelCaller, type ReviewTarget } from '../../src/nodes/types';
import { DialogueSchema, ReviewSchema, SceneListSchema, type Dialogue, type Review, type Rubric, type SceneNote } from '../../src/story/types';
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
function target(output: unknown, rewrite: (notes: SceneNote[], round: number) => Promise<unknown>): ReviewTarget & { revisions: SceneNote[][] } {
  const revisions: SceneNote[][] = [];
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

type Verdict = Partial<Rubric>;

/** A model judge: answers each rubric call with the next verdict (the last one repeats) and records the calls. */
function judge(verdicts: Verdict[]): ModelCaller & { asked: Array<{ prompt: string; temperature?: number }> } {
  const writer = directCaller();
  const asked: Array<{ prompt: string; temperature?: number }> = [];
  return {
    offline: false,
    asked,
    text: (call) => writer.text(call),
    json: async (call) => {
      if (call.label === 'policy') return call.schema.parse({ flags: [] });
      const verdict = verdicts[Math.min(asked.length, verdicts.length - 1)];
      asked.push({ prompt: call.prompt, temperature: call.temperature });
      return call.schema.parse({ coherence: 8, relevance: 8, interest: 8, score: 8, storyText: true, beatsMissed: [], notes: [], comment: 'Fine.', ...verdict });
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

  test('a bad scene is sent back by number; only that scene is rewritten and the others are kept exactly', async () => {
    const writer = directCaller();
    let rewrite: unknown;
    const reviewTarget = target(spoiled(good), async (notes) => {
      rewrite = await runNode('dialogue', { premise }, memory, { revisionNotes: notes, previous: spoiled(good), model: writer });
      return rewrite;
    });
    const result = await review(reviewTarget);
    expect(reviewTarget.revisions).toHaveLength(1);
    const notes = reviewTarget.revisions[0];
    expect(notes.every((n) => n.scene === 2)).toBe(true);
    expect(notes).toEqual(
      expect.arrayContaining([
        { scene: 2, note: expect.stringMatching(/cue 'HENRIK' is not in the cast/) },
        { scene: 2, note: expect.stringMatching(/assistant chatter/) },
      ]),
    );
    // Scene 2 alone was asked for again; the other scenes are the very same values.
    expect(writer.calls.map((c) => c.label)).toEqual(['scene-2']);
    const rewritten = DialogueSchema.parse(rewrite);
    expect(rewritten.scenes.filter((s) => s.number !== 2)).toEqual(spoiled(good).scenes.filter((s) => s.number !== 2));
    expect(rewritten.scenes[1]).not.toEqual(spoiled(good).scenes[1]);
    expect(result).toMatchObject({ target: 'lines', revisions: 1, issues: [] });
    // The offline judge never passes the offline writer's placeholder.
    expect(result.passed).toBe(false);
    expect(result.rubric.comment).toMatch(/placeholder/i);
  });

  test('the output keeps every pass: what the first reading found and fixed, then the final reading', async () => {
    const reviewTarget = target(spoiled(good), async (_notes, round) => (round === 2 ? good : spoiled(good)));
    const result = await review(reviewTarget, { maxRevisions: 5 }, judge([{}]));
    expect(result.passes).toHaveLength(result.revisions + 1);
    expect(result.passes).toHaveLength(3);
    const [first, second, last] = result.passes;
    expect(first.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['unknown_character', 'assistant_chatter']));
    expect(first.score).toBeLessThan(7);
    expect(first.notes).toEqual(reviewTarget.revisions[0]);
    expect(second.notes).toEqual(reviewTarget.revisions[1]);
    // The final pass is the one the top-level fields report.
    expect(last).toMatchObject({ score: result.score, issues: result.issues, notes: result.notes });
    // Each pass after the first confirms which of the previous pass's notes are fixed.
    expect(first).toMatchObject({ resolved: [], unresolved: [] });
    expect(second.unresolved).toEqual(reviewTarget.revisions[0].filter((note) => second.notes.some((n) => n.scene === note.scene)));
    expect(last).toMatchObject({ resolved: reviewTarget.revisions[1], unresolved: [] });
    expect(result.issues).toEqual([]);
    expect(result.passed).toBe(true);
    // The node's output schema carries the passes (the runner validates outputs with it).
    expect(outputSchemaOf(getNodeType('review')!, {}).safeParse({ ...result, passes: undefined }).success).toBe(false);
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

  test('a judge’s notes route by their scene number; a scoreless pass is sent back until it reaches the threshold', async () => {
    const model = judge([{ score: 5, notes: [{ scene: 3, note: 'The turn happens off screen; put it on screen.' }] }, { score: 8 }]);
    const reviewTarget = target(good, async () => good);
    const result = await review(reviewTarget, { maxRevisions: 3 }, model);
    expect(reviewTarget.revisions).toEqual([[{ scene: 3, note: 'The turn happens off screen; put it on screen.' }]]);
    expect(result).toMatchObject({ revisions: 1, passed: true, score: 8 });
    // The judge works at temperature 0, and its second reading sees the notes of the first.
    expect(model.asked.map((a) => a.temperature)).toEqual([0, 0]);
    expect(model.asked[1].prompt).toContain('Notes given on the previous pass');
    expect(model.asked[1].prompt).toContain('- Scene 3: The turn happens off screen; put it on screen.');
  });

  test('a note about no single scene goes to the scenes whose cards list who it names, else stays unrouted', async () => {
    const cards = SceneListSchema.parse(memory.scenes).scenes;
    const named = cards[1].characters[1];
    const model = judge([{ score: 5, notes: [{ scene: null, note: `${named} sounds like everyone else.` }, { scene: null, note: 'The title is dull.' }] }, { score: 8 }]);
    const reviewTarget = target(good, async () => good);
    const result = await review(reviewTarget, {}, model);
    const expected = cards.filter((c) => c.characters.includes(named)).map((c) => c.number);
    expect(reviewTarget.revisions[0].map((n) => n.scene)).toEqual(expected);
    expect(reviewTarget.revisions[0].every((n) => n.note === `${named} sounds like everyone else.`)).toBe(true);
    // A note no scene can take causes no rewrite on its own and stays in the output.
    const stuck = await review(target(good, async () => good), {}, judge([{ score: 5, notes: [{ scene: null, note: 'The title is dull.' }] }]));
    expect(stuck).toMatchObject({ revisions: 0, passed: false, notes: [{ scene: null, note: 'The title is dull.' }] });
    expect(result.passed).toBe(true);
  });

  test('any error-level finding fails the review, whatever the score', async () => {
    const model = judge([{ score: 10, coherence: 10, relevance: 10, interest: 10 }]);
    const result = await review(target(spoiled(good), async () => spoiled(good)), { maxRevisions: 0, threshold: 1 }, model);
    expect(result.rubric.score).toBe(10);
    expect(result.issues.some((i) => i.severity === 'error')).toBe(true);
    expect(result.passed).toBe(false);
  });

  test('a producer’s reject notes reach the scenes they name, or every scene', async () => {
    const reviewTarget = target(good, async () => good);
    await review(reviewTarget, {}, judge([{}]), ['Give Kofi more to do.', 'Scene 2 drags.']);
    expect(reviewTarget.revisions[0]).toEqual([
      ...[1, 2, 3, 4].map((scene) => ({ scene, note: 'Give Kofi more to do.' })),
      { scene: 2, note: 'Scene 2 drags.' },
    ]);
  });

  test('a model rubric cannot outscore the deterministic findings', async () => {
    const result = await review(target(spoiled(good), async () => spoiled(good)), { maxRevisions: 0 }, judge([{ score: 10 }]));
    expect(result.rubric.score).toBe(10);
    expect(result.score).toBeLessThanOrEqual(4);
    expect(result.passed).toBe(false);
  });

  test('the judge sees the outline, the cards and numbered scenes, and the issues found', async () => {
    const model = directCaller();
    await review(target(spoiled(good), async () => spoiled(good)), { maxRevisions: 0 }, model);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]).toMatchObject({ kind: 'json', label: 'rubric' });
    for (const section of ['Premise:', 'Logline:', 'Characters:', 'Outline:', 'Scene cards:', 'Screenplay, by scene:', 'Problems the checks already found:', 'Score anchors:']) {
      expect(model.calls[0].prompt).toContain(section);
    }
    for (const scene of good.scenes) expect(model.calls[0].prompt).toContain(`=== Scene ${scene.number} ===\n${scene.heading}`);
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
