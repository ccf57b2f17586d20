// The unattended drive shared by a server's scheduler and the queue workers: until the run waits or ends,
// again when it was queued again meanwhile, quiet when another process drives it or it is gone.
import { advanceRun } from '../../src/runner/advance-run';
import type { Storyloom } from '../../src/runner/engine';
import { StoryloomError } from '../../src/errors';
import type { RunView } from '../../src/runner/types';
import { tempEngines, type TempEngines, promptPipeline } from './support/helpers';

/** An engine whose drives end in the given statuses (or errors), one per call, counting them. */
function scripted(outcomes: Array<RunView['status'] | Error>): { storyloom: Storyloom; drives: () => number } {
  let calls = 0;
  const drive = async () => {
    const outcome = outcomes[calls++];
    if (outcome instanceof Error) throw outcome;
    return { status: outcome } as RunView;
  };
  return { storyloom: { drive } as unknown as Storyloom, drives: () => calls };
}

describe('runner: advancing a run in the background', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  it('drives a run to its approval, then after the decision to its end', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: promptPipeline(['a>b'], { approval: ['a'] }), inputs: { premise: 'x' } });
    await advanceRun(engine, run.id, new AbortController().signal);
    const waiting = await engine.requireRun(run.id);
    expect(waiting.status).toBe('waiting');
    expect(waiting.pending.map((approval) => approval.nodeId)).toEqual(['a']);
    await engine.decide(run.id, 'a', { decision: 'approve' });
    await advanceRun(engine, run.id, new AbortController().signal);
    expect((await engine.requireRun(run.id)).status).toBe('completed');
  });

  it('ends quietly for a run that does not exist', async () => {
    const engine = await temp.open();
    await expect(advanceRun(engine, 'run-nope', new AbortController().signal)).resolves.toBeUndefined();
  });

  it('drives again while the run comes back queued, unless stopped', async () => {
    const again = scripted(['queued', 'queued', 'waiting', 'completed']);
    await advanceRun(again.storyloom, 'r', new AbortController().signal);
    expect(again.drives()).toBe(3);

    const stopped = new AbortController();
    stopped.abort();
    const once = scripted(['queued', 'queued']);
    await advanceRun(once.storyloom, 'r', stopped.signal);
    expect(once.drives()).toBe(1);
  });

  it('leaves a run another process drives, and throws anything else', async () => {
    const held = scripted([new StoryloomError('lease_held', 'driven by another')]);
    await expect(advanceRun(held.storyloom, 'r', new AbortController().signal)).resolves.toBeUndefined();
    const broken = scripted([new Error('database unreachable')]);
    await expect(advanceRun(broken.storyloom, 'r', new AbortController().signal)).rejects.toThrow('database unreachable');
  });
});
