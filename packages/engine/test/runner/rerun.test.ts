// Rerun from a node: a new run with parentRunId that reuses (by reference, without a model call) every
// output not downstream of what changed, and recomputes the rest.
import Database from 'better-sqlite3';
import { promptPipeline, stubbedEngines, taskOf } from './support/helpers';
import { eventsOf } from '../../../../test/support/events';
import { PREMISE, screenplayPipeline } from './support/screenplay';

describe('runner: rerun from a node', () => {
  const harness = stubbedEngines();

  it('reuses upstream outputs and sends only the downstream prompts', async () => {
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
    const pipeline = promptPipeline(['a>b', 'b>c', 'c>d', 'a>side'], { model: 'openai:stub-model' });
    const parent = await engine.startRun({ pipeline, inputs: { premise: 'a duel at dawn' } });
    const first = await engine.drive(parent.id);
    expect(first.status).toBe('completed');

    harness.stub.reset();
    const child = await engine.rerun(parent.id, { from: 'c' });
    expect(child).toMatchObject({ parentRunId: parent.id, status: 'queued' });
    const done = await engine.drive(child.id);
    expect(done.status).toBe('completed');
    expect(harness.stub.requests.map((r) => taskOf(r.prompt)).sort()).toEqual(['c', 'd']);
    expect(Object.fromEntries(Object.entries(done.nodes).map(([id, node]) => [id, node.status]))).toEqual({
      a: 'reused',
      b: 'reused',
      side: 'reused',
      c: 'completed',
      d: 'completed',
    });
    expect(done.nodes.b.output).toEqual(first.nodes.b.output);
    const reusedEvents = eventsOf(await engine.events(child.id), 'node.completed').filter((e) => e.data.reused === true);
    expect(reusedEvents.map((e) => e.nodeId).sort()).toEqual(['a', 'b', 'side']);
    expect(reusedEvents.every((e) => e.data.output !== undefined)).toBe(true);
  });

  it('treats edited outputs and changed config as changes, and validates edits', async () => {
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
    const pipeline = promptPipeline(['a>b', 'b>c', 'c>d'], { model: 'openai:stub-model' });
    const parent = await engine.startRun({ pipeline, inputs: { premise: 'a duel at dawn' } });
    await engine.drive(parent.id);

    await expect(engine.rerun(parent.id, { from: 'd', edits: { b: 42 } })).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    await expect(engine.rerun(parent.id, { from: 'zz' })).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    const before = (await engine.listRuns()).length;

    harness.stub.reset();
    const child = await engine.rerun(parent.id, { from: 'd', edits: { b: 'B WAS EDITED' }, config: { d: { template: 'Task d rewritten {{c_out}}' } } });
    expect(await engine.listRuns()).toHaveLength(before + 1);
    const done = await engine.drive(child.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.a.status).toBe('reused');
    expect(done.nodes.b).toMatchObject({ status: 'completed', output: 'B WAS EDITED' });
    expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['c', 'd']);
    expect(harness.stub.requests[0].prompt).toContain('B WAS EDITED');
    expect(harness.stub.requests[1].prompt).toContain('rewritten');
  });

  it('merges rerun config into the node config (null removes a key) and names the node when it does not fit', async () => {
    const engine = await harness.temp.open();
    const pipeline = screenplayPipeline();
    const notes = pipeline.nodes.find((node) => node.id === 'notes')!;
    notes.config = { ...notes.config, threshold: 8 };
    const parent = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
    await engine.drive(parent.id);
    const before = (await engine.listRuns()).length;

    // Only maxRevisions changes: target and threshold stay.
    const child = await engine.rerun(parent.id, { from: 'notes', config: { notes: { maxRevisions: 0 } } });
    expect((await engine.getRun(child.id))!.status).toBe('queued');
    const done = await engine.drive(child.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.notes.output).toMatchObject({ target: 'lines', threshold: 8, revisions: 0 });

    // A null removes the key, so the type's default threshold (7) applies again.
    const reset = await engine.rerun(parent.id, { from: 'notes', config: { notes: { threshold: null } } });
    expect((await engine.drive(reset.id)).nodes.notes.output).toMatchObject({ target: 'lines', threshold: 7 });

    // Removing a required key, or a bad value, is refused naming the node; no run is created.
    const runs = (await engine.listRuns()).length;
    await expect(engine.rerun(parent.id, { from: 'notes', config: { notes: { target: null } } })).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/review 'notes' config 'target'.*required/) }),
    );
    await expect(engine.rerun(parent.id, { from: 'notes', config: { notes: { maxRevisions: 99 } } })).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining("review 'notes' config 'maxRevisions'") }),
    );
    await expect(engine.rerun(parent.id, { from: 'notes', config: { notes: 'strict' as never } })).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining("config for node 'notes' must be an object") }),
    );
    expect(await engine.listRuns()).toHaveLength(runs);
    expect(runs).toBe(before + 2);
  });

  it('stores a reused output by reference, so a rerun adds little to the database', async () => {
    const engine = await harness.temp.open();
    const parent = await engine.startRun({ pipeline: screenplayPipeline(), inputs: { premise: PREMISE } });
    await engine.drive(parent.id);
    const child = await engine.rerun(parent.id, { from: 'script' });
    expect((await engine.drive(child.id)).status).toBe('completed');
    const db = new Database(harness.temp.dbPath, { readonly: true });
    const reused = db
      .prepare(`SELECT node_id, LENGTH(output) AS bytes, ref_run_id FROM node_outputs WHERE run_id = ? AND source = 'reused' ORDER BY node_id`)
      .all(child.id);
    db.close();
    expect(reused).toEqual(['beats', 'cast', 'lines', 'logline', 'notes'].map((node_id) => ({ node_id, bytes: null, ref_run_id: parent.id })));
    expect((await engine.getRun(child.id))!.nodes.lines.output).toEqual((await engine.getRun(parent.id))!.nodes.lines.output);
  });
});
