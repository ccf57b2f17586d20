// Usage per node is the sum of every execution of it (a review's revision, a redraft after a reject, a retry after
// a failure), each kept with its own figures and its cost at the price table's rates; a run's usage sums its nodes.
// A call read back instead of re-sent counts once: in the execution that recorded it, or in the one reading it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pipeline } from '../../src/pipeline/schema';
import type { RunView, TokenUsage } from '../../src/runner/types';
import type { StubRequest } from '../../../../test/support/openai-stub';
import { continuityOf, isJudge, judgeReply, sceneOf, storyResponder } from '../../../../test/support/story-stub';
import { promptPipeline, stubbedEngines } from './support/helpers';
import { eventsOf } from '../../../../test/support/events';

const PRICE = { inputPerMillion: 3, outputPerMillion: 15 };

/** What the stub reported for these requests, and their cost at PRICE. */
function served(requests: StubRequest[]): { inputTokens: number; outputTokens: number; calls: number; costUsd: number } {
  const inputTokens = requests.reduce((sum, r) => sum + r.usage!.prompt_tokens, 0);
  const outputTokens = requests.reduce((sum, r) => sum + r.usage!.completion_tokens, 0);
  const costUsd = Math.round(((inputTokens * PRICE.inputPerMillion + outputTokens * PRICE.outputPerMillion) / 1_000_000) * 1e6) / 1e6;
  return { inputTokens, outputTokens, calls: requests.length, costUsd };
}

const figures = (usage: TokenUsage | undefined) => usage && { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, calls: usage.calls };

describe('usage per attempt, node and run', () => {
  const harness = stubbedEngines();
  const open = () => {
    const prices = join(harness.temp.dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ format: 'storyloom/prices@1', models: { 'openai:stub-model': PRICE } }));
    return harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url, STORYLOOM_PRICES: prices } });
  };
  const answered = () => harness.stub.requests.filter((r) => r.status === 200);

  test('a dialogue node revised after its review counts both executions, each with its own figures and cost', async () => {
    const scripted = storyResponder(3);
    let judged = 0;
    harness.stub.setBehavior({
      respond: (request) => {
        if (isJudge(request)) {
          judged += 1;
          return judged === 1 ? judgeReply({ score: 4, notes: [{ scene: 2, note: 'The turn happens off screen; put it on screen.' }] }) : judgeReply();
        }
        return scripted(request);
      },
    });
    const engine = await open();
    const pipeline: Pipeline = JSON.parse(readFileSync(join(__dirname, '../../../../pipelines/short-screenplay.json'), 'utf8'));
    pipeline.model = { provider: 'openai', model: 'stub-model' };
    const run = await engine.startRun({ pipeline, inputs: { premise: 'A lighthouse keeper and a whaler.', scenes: 3 } });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');

    // The dialogue node's calls: each scene written, then the continuity facts read from it.
    const requests = answered();
    const firstJudged = requests.findIndex(isJudge);
    const ofLines = (r: StubRequest) => sceneOf(r) !== undefined || (continuityOf(r) ?? 0) > 0;
    const firstDraft = requests.slice(0, firstJudged).filter(ofLines);
    const revision = requests.slice(firstJudged).filter(ofLines);
    expect(firstDraft).toHaveLength(6);
    // Only the scene the notes named was written again (the stub's rewrite is word for word the same, so its facts
    // are not read again).
    expect(revision.map((r) => sceneOf(r) ?? `facts-${continuityOf(r)}`)).toEqual([2]);
    const lines = done.nodes.lines;
    expect(lines.attempts?.map((a) => [a.attempt, a.source, a.status, a.model])).toEqual([
      [1, 'model', 'completed', 'openai:stub-model'],
      [2, 'revision', 'completed', 'openai:stub-model'],
    ]);
    expect(figures(lines.attempts![0])).toEqual(figures({ ...served(firstDraft), totalTokens: 0 }));
    expect(figures(lines.attempts![1])).toEqual(figures({ ...served(revision), totalTokens: 0 }));
    expect(lines.attempts![1].costUsd).toBe(served(revision).costUsd);
    // The node's usage is what all its calls spent, not its last execution's.
    const all = served([...firstDraft, ...revision]);
    expect(figures(lines.usage)).toEqual(figures({ ...all, totalTokens: 0 }));
    expect(lines.usage!.totalTokens).toBe(all.inputTokens + all.outputTokens);
    expect(lines.usage!.totalTokens).toBeGreaterThan(lines.attempts![1].totalTokens);
    expect(lines.usage!.costUsd).toBeCloseTo(all.costUsd, 6);

    // The run's usage is every call this run made; nothing else used the stub.
    const everything = served(answered());
    expect(figures(done.usage)).toEqual(figures({ ...everything, totalTokens: 0 }));
    expect(done.usage!.costUsd).toBeCloseTo(everything.costUsd, 6);
    expect(done.usage!.unpriced).toBeUndefined();

    // The live events say the same: the last node.completed of `lines` carries the node's total.
    const completed = eventsOf(await engine.events(run.id), 'node.completed', 'lines');
    expect(completed).toHaveLength(2);
    expect(completed[1].data.usage.totalTokens).toBe(lines.usage!.totalTokens);
    expect(completed[1].data.attemptUsage?.totalTokens).toBe(lines.attempts![1].totalTokens);
  }, 60_000);

  test('calls a failed execution recorded are read back on resume and counted once, by the failed execution', async () => {
    const scripted = storyResponder(3);
    let failScene2 = true;
    harness.stub.setBehavior({
      respond: (request) => {
        if (sceneOf(request) === 2 && failScene2) {
          // Late, so the other scenes and their readings have finished (and been recorded) when the node fails.
          failScene2 = false;
          return new Promise((resolve) => setTimeout(() => resolve({ status: 400, body: { error: { message: 'bad request from stub' } } }), 500));
        }
        return scripted(request);
      },
    });
    const engine = await open();
    const pipeline: Pipeline = JSON.parse(readFileSync(join(__dirname, '../../../../pipelines/short-screenplay.json'), 'utf8'));
    pipeline.model = { provider: 'openai', model: 'stub-model' };
    const run = await engine.startRun({ pipeline, inputs: { premise: 'A lighthouse keeper and a whaler.', scenes: 3 } });
    expect((await engine.drive(run.id)).status).toBe('failed');
    const beforeResume = answered().length;
    await engine.resume(run.id);
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');

    const ofLines = (r: StubRequest) => sceneOf(r) !== undefined || (continuityOf(r) ?? 0) > 0;
    expect(answered().slice(0, beforeResume).filter(ofLines).length).toBeGreaterThan(0); // scenes written before scene 2 failed
    const resumed = answered().slice(beforeResume).filter(ofLines);
    const lines = done.nodes.lines;
    expect(lines.attempts?.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [1, 'completed'],
    ]);
    const [failed, completed] = lines.attempts!;
    expect(failed.calls).toBeGreaterThan(0);
    // The replies the failed execution recorded are read back: the execution that completes counts only what it sent.
    expect(figures(completed)).toEqual(figures({ ...served(resumed), totalTokens: 0 }));
    expect(lines.usage!.calls).toBe(failed.calls + completed.calls);
    expect(lines.usage!.totalTokens).toBe(failed.totalTokens + completed.totalTokens);
  }, 60_000);

  test('a redraft after a reject and a retry after a failure add to the node; an unknown model is unpriced', async () => {
    let failNext = true;
    harness.stub.setBehavior({
      respond: (request) => {
        if (request.prompt.includes('Task second') && failNext) {
          failNext = false;
          return { status: 400, body: { error: { message: 'bad request from stub' } } };
        }
        return undefined;
      },
    });
    const engine = await open();
    const pipeline = promptPipeline(['first>second'], { approval: ['first'], model: { provider: 'openai', model: 'stub-model' } });
    const run = await engine.startRun({ pipeline, inputs: { premise: 'p' } });
    expect((await engine.drive(run.id)).status).toBe('waiting');
    await engine.decide(run.id, 'first', { decision: 'reject', feedback: 'shorter' });
    expect((await engine.drive(run.id)).status).toBe('waiting');
    await engine.decide(run.id, 'first', { decision: 'approve' });
    const failed = await engine.drive(run.id);
    expect(failed.status).toBe('failed');
    await engine.resume(run.id);
    const done: RunView = await engine.drive(run.id);
    expect(done.status).toBe('completed');

    const first = done.nodes.first;
    expect(first.attempts?.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    const firstCalls = answered().filter((r) => r.prompt.includes('Task first'));
    expect(figures(first.usage)).toEqual(figures({ ...served(firstCalls), totalTokens: 0 }));
    const second = done.nodes.second;
    expect(second.attempts?.map((a) => [a.attempt, a.status, a.calls])).toEqual([
      [1, 'failed', 0],
      [1, 'completed', 1],
    ]);
    expect(figures(done.usage)).toEqual(figures({ ...served(answered()), totalTokens: 0 }));

    // A model the price table does not know: tokens counted, cost left out and said so.
    const unknown = promptPipeline(['solo'], { model: { provider: 'openai', model: 'house-model' } });
    const other = await engine.startRun({ pipeline: unknown, inputs: { premise: 'p' } });
    const priced = await engine.drive(other.id);
    expect(priced.nodes.solo.attempts![0]).toMatchObject({ model: 'openai:house-model', unpriced: true, calls: 1 });
    expect(priced.nodes.solo.attempts![0].costUsd).toBeUndefined();
    expect(priced.usage).toMatchObject({ unpriced: true, calls: 1 });
  }, 60_000);
});
