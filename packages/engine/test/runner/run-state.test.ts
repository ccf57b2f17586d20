// A run's `updatedAt` follows its state (not only status changes), and a `running` run that no live
// process drives says so (`interrupted`), so `show` and the editor can tell a producer to resume it.
import { tempEngines, type TempEngines } from './support/helpers';
import { PREMISE, screenplayPipeline } from './support/screenplay';

const later = (a: string, b: string): boolean => Date.parse(b) > Date.parse(a);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runner: run state in the view', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  it('moves updatedAt as nodes start and complete, while the status stays running', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: screenplayPipeline(), inputs: { premise: PREMISE } });
    let finished = false;
    const driving = engine.drive(run.id).finally(() => (finished = true));
    const observer = await temp.open();
    const whileRunning = new Set<string>();
    while (!finished) {
      const view = (await observer.getRun(run.id))!;
      if (view.status === 'running') whileRunning.add(view.updatedAt);
      await pause(2);
    }
    const done = await driving;
    expect(done.status).toBe('completed');
    // Status changed once (to running) during that time; the state changed with every node.
    expect(whileRunning.size).toBeGreaterThanOrEqual(3);
    const lastState = (await engine.events(run.id)).filter((e) => e.type !== 'node.token').at(-1)!;
    expect(later(lastState.at, done.updatedAt) || lastState.at === done.updatedAt).toBe(true);
    expect(done.interrupted).toBeUndefined();
  });

  it('marks a running run that nothing drives as interrupted, and clears it when driven again', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: screenplayPipeline(), inputs: { premise: PREMISE } });
    const stop = new AbortController();
    const stopped = engine.drive(run.id, { signal: stop.signal }).catch(() => undefined);
    // Stop the driver as soon as it is running (as a shutting-down server would): the run stays `running`.
    for (let i = 0; i < 400 && (await engine.getRun(run.id))!.status !== 'running'; i++) await pause(5);
    expect((await engine.getRun(run.id))!.interrupted).toBeUndefined();
    stop.abort();
    await stopped;
    const interrupted = (await (await temp.open()).getRun(run.id))!;
    expect(interrupted.status).toBe('running');
    expect(interrupted.interrupted).toBe(true);

    const done = await (await temp.open()).drive(run.id);
    expect(done.status).toBe('completed');
    expect(done.interrupted).toBeUndefined();
  });
});
