// Taking a run over from a driver that stalled past its lease: the new driver finishes it, and the stalled
// one, once it wakes, writes nothing more (every progress write is fenced by the lease's epoch) and ends with
// 'lease_held' (no retry or token event, no reply, output or spend of its own). Also the orphan rule a server
// scans with: running runs whose holder is gone, and runs left queued only once they have been left alone long
// enough.
import Database from 'better-sqlite3';
import { promptPipeline, stubbedEngines, taskOf, typesOf, waitFor } from './support/helpers';

/** Blocks this whole process (event loop, timers, the in-process stub): what a paused machine looks like to it. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else in this process runs
  }
}

describe('runner: lease takeover', () => {
  const harness = stubbedEngines({}, { latencyMs: 0, tokenDelayMs: 0, failures: [] });

  it('a driver that stalls past its lease is taken over; when it wakes it stops without writing', async () => {
    harness.stub.setBehavior({ latencyMs: 300 });
    const env = { OPENAI_BASE_URL: harness.stub.url };
    const stalled = await harness.temp.open({ env, ownerId: 'stalled', leaseTtlMs: 1_000 });
    const successor = await harness.temp.open({ env, ownerId: 'successor', leaseTtlMs: 1_000 });
    const pipeline = promptPipeline(['a>b', 'b>c'], { model: 'openai:stub-model' });
    const run = await stalled.startRun({ pipeline, inputs: { premise: 'a clock that runs backwards' } });

    const first = stalled.drive(run.id).then(
      () => 'finished',
      (error: { code?: string }) => error.code,
    );
    await waitFor(() => harness.stub.requests.some((r) => taskOf(r.prompt) === 'a'), 20_000, "a's model call");
    // While it drives, nobody else may take it.
    await expect(successor.drive(run.id)).rejects.toMatchObject({ code: 'lease_held' });
    expect(await successor.orphanedRuns()).toEqual([]);

    stall(1_500); // past the 1 s lease, with a's reply due meanwhile
    // Both calls run before the stalled driver's timers do: the scan and the claim finish in this turn.
    const scanned = successor.orphanedRuns();
    const second = scanned.then(() => successor.drive(run.id));
    expect((await scanned).map((r) => r.id)).toEqual([run.id]);

    expect(await first).toBe('lease_held');
    const done = await second;
    expect(done.status).toBe('completed');
    const events = await successor.events(run.id);
    expect(typesOf(events).filter((type) => type === 'node.completed' || type === 'run.completed' || type === 'run.failed')).toEqual([
      'node.completed',
      'node.completed',
      'node.completed',
      'run.completed',
    ]);
    // a was in flight at the takeover and is asked again by the successor; nothing else is asked twice.
    expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['a', 'a', 'b', 'c']);
  });

  it('a takeover while a model call is in flight: the old driver cannot record that node', async () => {
    harness.stub.setBehavior({ latencyMs: 600 });
    const env = { OPENAI_BASE_URL: harness.stub.url };
    const engine = await harness.temp.open({ env, ownerId: 'old-driver' });
    const pipeline = promptPipeline(['a>b'], { model: 'openai:stub-model' });
    const run = await engine.startRun({ pipeline, inputs: { premise: 'a lighthouse with no light' } });
    const drive = engine.drive(run.id);
    await waitFor(() => harness.stub.requests.length > 0, 20_000, "a's model call");
    // What another process's claim writes once this one's lease has expired.
    const db = new Database(harness.temp.dbPath);
    try {
      db.prepare("UPDATE runs SET lease_owner = 'new-driver', lease_pid = 1, lease_started = NULL, lease_expires = ? WHERE id = ?").run(Date.now() + 60_000, run.id);
    } finally {
      db.close();
    }
    await expect(drive).rejects.toMatchObject({ code: 'lease_held' });
    const view = (await engine.getRun(run.id))!;
    expect(view.status).toBe('running'); // not failed, not settled: it is the new driver's run
    expect(view.nodes.a.status).not.toBe('completed');
    expect(typesOf(await engine.events(run.id))).toEqual(['run.started', 'node.started']);
    expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['a']); // b was never asked
  });

  it('a driver that lost its lease writes no retry, token, reply, output or spend after the takeover', async () => {
    // The first request fails only once the lease has passed on; the retry then streams its answer word by word.
    harness.stub.setBehavior({ latencyMs: 300, failures: [500], tokenDelayMs: 20, wordsPerChunk: 1, respond: () => 'the tide keeps its own hours '.repeat(5) });
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url }, ownerId: 'old-driver', maxRetries: 2 });
    const run = await engine.startRun({ pipeline: promptPipeline(['a>b'], { model: 'openai:stub-model' }), inputs: { premise: 'a harbour that moves' } });
    const drive = engine.drive(run.id);
    await waitFor(() => harness.stub.requests.length > 0, 20_000, "a's first model call");
    const db = new Database(harness.temp.dbPath);
    try {
      db.prepare("UPDATE runs SET lease_owner = 'new-driver', lease_pid = 1, lease_started = NULL, lease_expires = ? WHERE id = ?").run(Date.now() + 60_000, run.id);
      await expect(drive).rejects.toMatchObject({ code: 'lease_held' });
      // The old driver did go on: it retried and was streamed a whole answer, and none of it reached the run.
      expect(harness.stub.requests.map((r) => [r.status, r.stream])).toEqual([[500, true], [200, true]]);
      expect((await engine.events(run.id)).map((event) => event.type)).toEqual(['run.started', 'node.started']); // tokens too
      const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(run.id) as { n: number }).n;
      expect(['node_outputs', 'model_calls', 'node_attempts'].map(count)).toEqual([0, 0, 0]);
    } finally {
      db.close();
    }
  });

  it('orphans: queued runs only once left alone for the given time; never those excluded or driven', async () => {
    const engine = await harness.temp.open();
    const run = await engine.startRun({ pipeline: promptPipeline(['a>b']), inputs: { premise: 'a tide that never turns' } });
    expect(await engine.orphanedRuns()).toEqual([]); // queued is not orphaned by default: its starter is about to drive it
    expect((await engine.orphanedRuns({ undrivenForMs: 0 })).map((r) => r.id)).toEqual([run.id]);
    expect(await engine.orphanedRuns({ undrivenForMs: 60_000 })).toEqual([]);
    expect(await engine.orphanedRuns({ undrivenForMs: 0, exclude: (id) => id === run.id })).toEqual([]);
  });

  it('refuses a lease shorter than a second', async () => {
    await expect(harness.temp.open({ leaseTtlMs: 10 })).rejects.toThrow(/leaseTtlMs must be a whole number of milliseconds, at least 1000; got 10/);
  });
});
