// The one fold over a run's event log: replaying a run's stored events onto a fresh view gives the view the
// engine builds from its tables, through approvals (approve, reject, edit), a rerun's reused nodes, a failure
// and its resume, and a cancel. What a view shows that events do not carry (candidates) is left out.
import { foldRunEvent, foldRunEvents, newRunView } from '../../src/contract/fold';
import type { RunEvent } from '../../src/contract/events';
import type { RunView } from '../../src/contract/run-view';
import type { Storyloom } from '../../src/runner/engine';
import { promptPipeline, stubbedEngines } from '../runner/support/helpers';

const PREMISE = 'A cartographer maps a city that rearranges itself every night.';

/** The fields a fold can know, of any view. */
function comparable(view: RunView) {
  const nodes = Object.fromEntries(
    Object.entries(view.nodes).map(([id, state]) => [id, { status: state.status, output: state.output, error: state.error, usage: state.usage }]),
  );
  return {
    status: view.status,
    error: view.error,
    nodes,
    pending: view.pending.map(({ nodeId, draft, kind }) => ({ nodeId, draft, kind })),
  };
}

async function replayed(engine: Storyloom, runId: string): Promise<RunView> {
  const stored = (await engine.getRun(runId))!;
  const start = newRunView(stored, Object.keys(stored.nodes));
  return foldRunEvents(start, await engine.events(runId));
}

async function expectFoldMatches(engine: Storyloom, runId: string): Promise<RunView> {
  const view = (await engine.getRun(runId))!;
  expect(comparable(await replayed(engine, runId))).toEqual(comparable(view));
  return view;
}

describe('foldRunEvent', () => {
  const env = stubbedEngines();
  const open = () => env.temp.open({ env: { OPENAI_BASE_URL: env.stub.url }, maxRetries: 0 });

  it('replays approvals (reject, edit, approve) to the stored view at every stop', async () => {
    const engine = await open();
    const pipeline = promptPipeline(['a>b', 'b>c', 'a>d'], { approval: ['b', 'd'] });
    const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
    let view = await engine.drive(run.id);
    expect(view.status).toBe('waiting');
    expect(view.pending.map((p) => p.nodeId).sort()).toEqual(['b', 'd']);
    await expectFoldMatches(engine, run.id);

    await engine.decide(run.id, 'b', { decision: 'reject', feedback: 'darker' });
    await engine.decide(run.id, 'd', { decision: 'edit', output: 'edited by hand' });
    view = await engine.drive(run.id);
    expect(view.status).toBe('waiting');
    expect(view.nodes.d.output).toBe('edited by hand');
    await expectFoldMatches(engine, run.id);

    await engine.decide(run.id, 'b', { decision: 'approve' });
    view = await engine.drive(run.id);
    expect(view.status).toBe('completed');
    const folded = await replayed(engine, run.id);
    expect(folded.nodes.d.output).toBe('edited by hand');
    expect(folded.nodes.c.status).toBe('completed');
    await expectFoldMatches(engine, run.id);
  });

  it('replays a failure, its resume and a rerun that reuses outputs', async () => {
    const engine = await open();
    env.stub.setBehavior({ failures: [500, 500, 500] });
    const pipeline = promptPipeline(['a>b'], { model: 'openai:stub' });
    const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
    let view = await engine.drive(run.id);
    expect(view.status).toBe('failed');
    const failed = await expectFoldMatches(engine, run.id);
    expect(failed.nodes.a.status).toBe('failed');
    expect(failed.nodes.b.status).toBe('skipped');

    env.stub.setBehavior({ failures: [] });
    await engine.resume(run.id);
    view = await engine.drive(run.id);
    expect(view.status).toBe('completed');
    await expectFoldMatches(engine, run.id);

    const rerun = await engine.rerun(run.id, { from: 'b' });
    view = await engine.drive(rerun.id);
    expect(view.nodes.a.status).toBe('reused');
    await expectFoldMatches(engine, rerun.id);
  });

  it('replays a cancel: what never ran shows as skipped', async () => {
    const engine = await open();
    const pipeline = promptPipeline(['a>b'], { approval: ['a'] });
    const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
    await engine.drive(run.id);
    await engine.cancel(run.id);
    const view = await expectFoldMatches(engine, run.id);
    expect(view.status).toBe('cancelled');
    expect(view.nodes.b.status).toBe('skipped');
  });

  it('leaves the view it is given untouched and ignores streamed text', () => {
    const start = newRunView({ id: 'r1', pipelineId: 'p', version: 1, inputs: {}, createdAt: '2026-01-01T00:00:00.000Z' }, ['a']);
    const token: RunEvent = { seq: 2, runId: 'r1', type: 'node.token', nodeId: 'a', at: '2026-01-01T00:00:01.000Z', data: { text: 'Once' } };
    expect(foldRunEvent(start, token)).toBe(start);
    const started: RunEvent = { seq: 1, runId: 'r1', type: 'node.started', nodeId: 'a', at: '2026-01-01T00:00:01.000Z', data: { attempt: 1 } };
    const next = foldRunEvent(start, started);
    expect(next.nodes.a.status).toBe('running');
    expect(next.status).toBe('running');
    expect(start.nodes.a.status).toBe('pending');
    expect(start.status).toBe('queued');
  });
});
