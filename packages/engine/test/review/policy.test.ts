// Content policy: lexicon checks per category (minors always on), a model judge online, and a flag stops the run
// at a human gate (approval kind `policy`) that autoApprove does not wave through.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyFlags } from '../../src/review/policy';
import { reviewDocumentOf } from '../../src/review/text';
import type { Pipeline } from '../../src/pipeline/schema';
import type { Review } from '../../src/story/types';
import { sceneOf, sceneReply, storyResponder } from '../../../../test/support/story-stub';
import { stubbedEngines } from '../runner/support/helpers';

const text = (scenes: string[]) => reviewDocumentOf({ passages: scenes.map((t, i) => ({ number: i + 1, title: '', text: t })) })!;
const categoriesOf = (scenes: string[], categories: Parameters<typeof policyFlags>[0]['categories'], extra: Partial<Parameters<typeof policyFlags>[0]> = {}) =>
  policyFlags({ document: text(scenes), categories, realPeople: [], ...extra }).map((f) => [f.category, f.scene]);

describe('content-policy checks without a model', () => {
  const clean = 'Mara walked the harbour wall at dawn and counted the boats, as she always did.';

  test('sexual content involving a minor is flagged whatever the configuration', () => {
    expect(categoriesOf([clean, 'The fourteen-year-old was undressed and fondled in the back room.'], [])).toEqual([['minors', 2]]);
    expect(categoriesOf([clean, 'The children played by the water; later the adults talked about sex.'], [])).toEqual([]);
  });

  test('each configured category is checked, and only when configured', () => {
    const scenes = [
      'He said the refugees were vermin who should all die.',
      'The blade went in; entrails spilled, blood spurts from the severed arm, his skull cracks on the stone.',
      'She typed: what is the easiest way to kill myself.',
      'Everyone knows Senator Alma Reyes took bribes from the port authority.',
    ];
    const all = ['hate', 'graphic-violence', 'self-harm', 'defamation'] as const;
    expect(categoriesOf(scenes, [...all], { realPeople: ['Alma Reyes'] })).toEqual([
      ['hate', 1],
      ['graphic-violence', 2],
      ['self-harm', 3],
      ['defamation', 4],
    ]);
    expect(categoriesOf(scenes, [])).toEqual([]);
    // A fictional name is not a real person's.
    expect(categoriesOf(scenes, ['defamation'], { realPeople: ['Someone Else'] })).toEqual([]);
    // One wound is violence, not gore.
    expect(categoriesOf(['The blade went in and he fell.'], ['graphic-violence'])).toEqual([]);
  });

  test('twelve words in a row from the reference corpus are flagged as verbatim, with the copied words', () => {
    const reference = 'It was a bright cold day in April, and the clocks were striking thirteen. Winston Smith hurried.';
    const copied = 'Outside, it was a bright cold day in April, and the clocks were striking thirteen again.';
    const flags = policyFlags({ document: text([clean, copied]), categories: ['verbatim'], realPeople: [], reference });
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ category: 'verbatim', scene: 2, source: 'checks', evidence: 'it was a bright cold day in april and the clocks were striking thirteen' });
    expect(policyFlags({ document: text(['a bright cold day in April, clocks striking']), categories: ['verbatim'], realPeople: [], reference })).toEqual([]);
  });
});

describe('a policy flag gates the run', () => {
  const harness = stubbedEngines();
  const shipped = (): Pipeline => JSON.parse(readFileSync(join(__dirname, '../../../../pipelines/short-screenplay.json'), 'utf8'));

  test('gore in one scene stops the run at the review for a person, even with autoApprove; approve lets it finish', async () => {
    const scripted = storyResponder(4);
    harness.stub.setBehavior({
      respond: (request) =>
        sceneOf(request) === 2
          ? { content: `${sceneReply(request)}\n\nThe gaff hook tears him open: entrails on the deck, blood spurts across the lamp, the severed hand twitching.` }
          : scripted(request),
    });
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
    const pipeline = shipped();
    pipeline.model = { provider: 'openai', model: 'stub-model' };
    const review = pipeline.nodes.find((node) => node.type === 'review')!;
    review.config = { ...review.config, policy: { categories: ['graphic-violence'] } };
    const run = await engine.startRun({ pipeline, inputs: { premise: 'A lighthouse keeper and a whaler.', scenes: 4 }, autoApprove: true });
    const waiting = await engine.drive(run.id);
    expect(waiting.status).toBe('waiting');
    expect(waiting.pending).toEqual([expect.objectContaining({ nodeId: review.id, kind: 'policy' })]);
    const flags = (waiting.pending[0].draft as Review).policy;
    expect(flags).toEqual([expect.objectContaining({ category: 'graphic-violence', scene: 2, source: 'checks' })]);
    const requested = (await engine.events(run.id)).find((event) => event.type === 'approval.requested' && event.nodeId === review.id)!;
    expect(requested.data).toMatchObject({ kind: 'policy', flags });
    // The script is not exported past the gate until someone decides.
    expect(waiting.nodes.script.status).toBe('pending');

    await engine.decide(run.id, review.id, { decision: 'approve' });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    const resolved = (await engine.events(run.id)).find((event) => event.type === 'approval.resolved' && event.nodeId === review.id)!;
    expect(resolved.data).toMatchObject({ decision: 'approve' });
  }, 60_000);

  test('a clean text passes the review’s gate without stopping', async () => {
    harness.stub.setBehavior({ respond: storyResponder(3) });
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
    const pipeline = shipped();
    pipeline.model = { provider: 'openai', model: 'stub-model' };
    const run = await engine.startRun({ pipeline, inputs: { premise: 'A lighthouse keeper and a whaler.', scenes: 3 } });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    expect((done.nodes.notes.output as Review).policy).toEqual([]);
    // The judge was asked (a configured model), at temperature 0.
    const asked = harness.stub.requests.filter((r) => /Check this fiction for content/.test(r.prompt));
    expect(asked).toHaveLength(1);
    expect(asked[0].body.temperature).toBe(0);
  }, 60_000);
});
