// Durability and control: a driving process killed with SIGKILL mid-run is resumed here without sending
// completed nodes' prompts again; the lease keeps a second driver out; a model that is down fails the run
// with a clear message and `resume` completes it later; `cancel` stops a streaming call promptly.
import { promptPipeline, spawnChild, stubbedEngines, taskOf, waitFor } from './support/helpers';

describe('runner: durability and control', () => {
  const harness = stubbedEngines({}, { latencyMs: 0, tokenDelayMs: 0, failures: [] });

  it('resumes a run whose driving process was killed, without re-sending completed nodes', async () => {
    harness.stub.setBehavior({ latencyMs: 400 });
    const env = { OPENAI_BASE_URL: harness.stub.url };
    const engine = await harness.temp.open({ env });
    const pipeline = promptPipeline(['a>b', 'b>c', 'c>d'], { model: 'openai:stub-model' });
    const run = await engine.startRun({ pipeline, inputs: { premise: 'a ghost ship' } });

    // Events written by the child process reach a subscriber here (by polling), in order, without gaps.
    const seen: number[] = [];
    const unsubscribe = engine.subscribe(run.id, (event) => seen.push(event.seq));
    const child = spawnChild([harness.temp.dbPath, 'drive', run.id], env);
    // Kill it while c's model call is in flight: the stub has c's request and is still waiting to answer it.
    await waitFor(() => harness.stub.requests.some((r) => taskOf(r.prompt) === 'c'), 30_000, "c's model call from the child");
    await expect(engine.drive(run.id)).rejects.toMatchObject({ code: 'lease_held' });
    child.child.kill('SIGKILL');
    await child.exited;

    await new Promise((resolve) => setTimeout(resolve, 250));
    unsubscribe();
    const logged = (await engine.events(run.id)).map((event) => event.seq);
    expect(logged.length).toBeGreaterThan(5);
    expect(seen).toEqual(logged);
    const interrupted = (await engine.getRun(run.id))!;
    expect(interrupted.status).toBe('running');
    expect([interrupted.nodes.a.status, interrupted.nodes.b.status]).toEqual(['completed', 'completed']);
    expect((await engine.orphanedRuns()).map((r) => r.id)).toEqual([run.id]);
    const before = harness.stub.requests.map((r) => taskOf(r.prompt));
    expect(before).toEqual(['a', 'b', 'c']);

    harness.stub.reset();
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    // Only the node in flight at the crash and the one after it were sent.
    expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['c', 'd']);
    const completed = (await engine.events(run.id)).filter((e) => e.type === 'node.completed').map((e) => e.nodeId);
    expect(completed).toEqual(['a', 'b', 'c', 'd']);
    expect(await engine.orphanedRuns()).toEqual([]);
  });

  it('fails the run naming the node when the model is down, and resume completes it', async () => {
    const down = await harness.temp.open({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, maxRetries: 0, modelTimeoutMs: 2000 });
    const pipeline = promptPipeline(['a>b'], { model: 'openai:stub-model' });
    const run = await down.startRun({ pipeline, inputs: { premise: 'a lost key' } });
    const failed = await down.drive(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/node 'a' \(prompt\) failed: /);
    expect(failed.nodes.a).toMatchObject({ status: 'failed', error: expect.stringContaining("node 'a'") });
    // b never ran because a, whose output it reads, failed: skipped, not left pending, in every view of the run.
    expect(failed.nodes.b).toEqual({ status: 'skipped' });
    expect((await down.listRuns()).find((listed) => listed.id === run.id)!.nodes.b.status).toBe('skipped');
    const events = await down.events(run.id);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['node.failed', 'run.failed']);

    // A failed run is not driven again until resumed.
    expect((await down.drive(run.id)).status).toBe('failed');
    const working = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
    const resumed = await working.resume(run.id);
    expect(resumed.status).toBe('queued');
    expect(resumed.nodes.b.status).toBe('pending'); // it will run now
    const done = await working.drive(run.id);
    expect(done.status).toBe('completed');
    expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['a', 'b']);
    await expect(working.resume(run.id)).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('retries after a 429 and 500 with node.retry events', async () => {
    harness.stub.setBehavior({ failures: [429, 500] });
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url }, maxRetries: 3 });
    const run = await engine.startRun({ pipeline: promptPipeline(['a'], { model: 'openai:stub-model' }), inputs: { premise: 'x' } });
    expect((await engine.drive(run.id)).status).toBe('completed');
    expect((await engine.events(run.id)).filter((e) => e.type === 'node.retry')).toHaveLength(2);
  });

  it('cancels a run inside a streaming model call, promptly', async () => {
    harness.stub.setBehavior({ tokenDelayMs: 150, wordsPerChunk: 1 });
    const env = { OPENAI_BASE_URL: harness.stub.url };
    const driver = await harness.temp.open({ env });
    const run = await driver.startRun({ pipeline: promptPipeline(['a>b'], { model: 'openai:stub-model' }), inputs: { premise: 'a long night' } });
    const driving = driver.drive(run.id);
    await waitFor(async () => (await driver.events(run.id)).some((e) => e.type === 'node.token'), 20_000, 'streaming to start');
    const canceller = await harness.temp.open({ env });
    const requestedAt = Date.now();
    expect((await canceller.cancel(run.id)).status).toBe('running'); // the driver ends it
    const cancelled = await driving;
    const stoppedAfter = Date.now() - requestedAt;
    expect(cancelled.status).toBe('cancelled');
    expect(stoppedAfter).toBeLessThan(1500);
    // a was stopped mid-call (its work lost) and b never started: neither ran because of the cancel.
    expect(cancelled.nodes.a.status).toBe('skipped');
    expect(cancelled.nodes.b.status).toBe('skipped');
    // What a's cut-off request spent still counts: its prompt and the words streamed before the cancel, estimated.
    const [stoppedAttempt] = cancelled.nodes.a.attempts ?? [];
    expect(stoppedAttempt).toMatchObject({ status: 'cancelled', calls: 1 });
    expect(stoppedAttempt.inputTokens).toBeGreaterThan(0);
    expect(stoppedAttempt.outputTokens).toBeGreaterThan(0);
    expect(cancelled.nodes.a.usage?.totalTokens).toBe(stoppedAttempt.inputTokens + stoppedAttempt.outputTokens);
    const events = await driver.events(run.id);
    expect(events[events.length - 1].type).toBe('run.cancelled');
    expect(events.some((e) => e.type === 'node.completed')).toBe(false);
    await expect(canceller.cancel(run.id)).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
    // A cancelled run can be resumed: the interrupted node runs again from the start.
    harness.stub.setBehavior({ tokenDelayMs: 0 });
    harness.stub.reset();
    const resumed = await canceller.resume(run.id);
    expect([resumed.nodes.a.status, resumed.nodes.b.status]).toEqual(['pending', 'pending']);
    expect((await canceller.drive(run.id)).status).toBe('completed');
    expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['a', 'b']);

    // A waiting run is cancelled at once by whoever asks.
    const gated = await driver.startRun({ pipeline: promptPipeline(['a>b'], { approval: ['a'] }), inputs: { premise: 'y' } });
    expect((await driver.drive(gated.id)).status).toBe('waiting');
    expect((await driver.pendingApprovals()).map((p) => p.runId)).toEqual([gated.id]);
    const stopped = await canceller.cancel(gated.id);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.nodes.b.status).toBe('skipped'); // behind the gate, never run
    expect(await driver.pendingApprovals()).toEqual([]);
    await expect(driver.decide(gated.id, 'a', { decision: 'approve' })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
    // Resumed, it waits for the same decision again.
    await driver.resume(gated.id);
    expect((await driver.drive(gated.id)).pending.map((p) => p.nodeId)).toEqual(['a']);
  });
});
