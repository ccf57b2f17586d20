// Approval checkpoints: parallel gates pending while an independent branch finishes, decisions from other
// engines and from another process, a second decision refused, reject → regenerated with the feedback in the
// prompt (seen by the OpenAI-compatible stub), edits checked against the output schema.
import { isStoryloomError, StoryloomError } from '../../src/errors';
import { promptPipeline, spawnChild, stubbedEngines, typesOf } from './support/helpers';
import { PREMISE, screenplayPipeline } from './support/screenplay';

async function caught(action: () => Promise<unknown>): Promise<StoryloomError> {
  try {
    await action();
  } catch (error) {
    if (isStoryloomError(error)) return error;
    throw error;
  }
  throw new Error('expected a StoryloomError');
}

describe('runner: approvals', () => {
  const harness = stubbedEngines({ latencyMs: 20 });

  it('keeps independent branches running while two gates wait, and takes decisions from anywhere', async () => {
    const env = { OPENAI_BASE_URL: harness.stub.url };
    const driver = await harness.temp.open({ env });
    const pipeline = promptPipeline(['root>a', 'root>b', 'root>c', 'c>d', 'a>after', 'b>after'], { approval: ['a', 'b'], model: 'openai:stub-model' });
    const run = await driver.startRun({ pipeline, inputs: { premise: 'a heist on a train' } });

    const waiting = await driver.drive(run.id);
    expect(waiting.status).toBe('waiting');
    expect(waiting.pending.map((p) => p.nodeId).sort()).toEqual(['a', 'b']);
    expect(waiting.pending.every((p) => typeof p.draft === 'string' && p.draft.length > 0)).toBe(true);
    expect([waiting.nodes.a.status, waiting.nodes.b.status]).toEqual(['waiting', 'waiting']);
    expect([waiting.nodes.c.status, waiting.nodes.d.status]).toEqual(['completed', 'completed']); // not held up by the gates
    expect(waiting.nodes.after.status).toBe('pending');
    expect((await driver.pendingApprovals()).map((p) => [p.runId, p.nodeId]).sort()).toEqual([
      [run.id, 'a'],
      [run.id, 'b'],
    ]);
    const events = await driver.events(run.id);
    const requested = events.filter((e) => e.type === 'approval.requested');
    expect(requested.map((e) => e.nodeId).sort()).toEqual(['a', 'b']);
    expect(requested.find((e) => e.nodeId === 'a')!.data.draft).toBe(waiting.nodes.a.output);
    expect(events[events.length - 1]).toMatchObject({ type: 'run.waiting', data: { pending: expect.arrayContaining(['a', 'b']) } });

    // Another engine on the same file approves a; a separate process rejects b.
    const other = await harness.temp.open({ env });
    expect((await other.decide(run.id, 'a', { decision: 'approve' })).pending.map((p) => p.nodeId)).toEqual(['b']);
    const child = spawnChild([harness.temp.dbPath, 'decide', run.id, 'b', JSON.stringify({ decision: 'reject', feedback: 'Make the villain a retired conductor.' })]);
    expect(await child.exited).toBe(0);
    expect(child.lines()).toEqual([{ decided: true, status: 'waiting' }]);
    // A second decision on a decided approval loses.
    expect((await caught(() => other.decide(run.id, 'a', { decision: 'reject', feedback: 'too late' }))).code).toBe('conflict');
    const second = spawnChild([harness.temp.dbPath, 'decide', run.id, 'b', JSON.stringify({ decision: 'approve' })]);
    await second.exited;
    expect(second.lines()).toEqual([{ decided: false, code: 'conflict' }]);

    harness.stub.reset();
    const again = await driver.drive(run.id);
    expect(again.status).toBe('waiting');
    expect(again.pending.map((p) => p.nodeId)).toEqual(['b']);
    expect(again.nodes.a.status).toBe('completed');
    // Only b was sent again, and its prompt carries the feedback and its previous draft.
    expect(harness.stub.requests).toHaveLength(1);
    const regenerated = harness.stub.requests[0].messages.map((m) => m.content).join('\n');
    expect(regenerated).toContain('Make the villain a retired conductor.');
    expect(regenerated).toContain(String(waiting.pending.find((p) => p.nodeId === 'b')!.draft).slice(0, 40));
    expect(typesOf(await driver.events(run.id), 'b')).toEqual([
      'node.started',
      'node.completed',
      'approval.requested',
      'approval.resolved',
      'node.started',
      'node.completed',
      'approval.requested',
    ]);

    // An edit must fit the node's output schema (a prompt node in text mode writes a string).
    const refused = (await caught(() => other.decide(run.id, 'b', { decision: 'edit', output: { text: 'not a string' } })));
    expect(refused.code).toBe('invalid_input');
    expect(refused.details).toEqual([expect.objectContaining({ code: 'invalid_output', path: '/b' })]);
    expect((await other.getRun(run.id))!.pending.map((p) => p.nodeId)).toEqual(['b']);
    await other.decide(run.id, 'b', { decision: 'edit', output: 'EDITED: the conductor did it.' });

    harness.stub.reset();
    const done = await driver.drive(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.b.output).toBe('EDITED: the conductor did it.');
    expect(harness.stub.requests.map((r) => r.prompt.split(' ')[1])).toEqual(['after']);
    expect(harness.stub.requests[0].prompt).toContain('EDITED: the conductor did it.');
  });

  it('completes joins below a gate whose other parents finished first', async () => {
    // c waits for a's approval but is triggered early by p; d joins c with e, which finished long before.
    const engine = await harness.temp.open();
    const pipeline = promptPipeline(['root>a', 'root>p', 'a>c', 'p>c', 'c>d', 'e>d', 'p>q', 'q>r'], { approval: ['a'] });
    const run = await engine.startRun({ pipeline, inputs: { premise: 'a map with no edges' } });
    const waiting = await engine.drive(run.id);
    expect(waiting.status).toBe('waiting');
    expect([waiting.nodes.e.status, waiting.nodes.r.status, waiting.nodes.c.status, waiting.nodes.d.status]).toEqual(['completed', 'completed', 'pending', 'pending']);
    await engine.decide(run.id, 'a', { decision: 'approve' });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    const started = (await engine.events(run.id)).filter((e) => e.type === 'node.started').map((e) => e.nodeId);
    expect(started.filter((id) => id === 'c' || id === 'd')).toEqual(['c', 'd']);
  });

  it('refuses an edit that breaks a story type schema, with the problems', async () => {
    const engine = await harness.temp.open();
    const run = await engine.startRun({ pipeline: screenplayPipeline({ approval: true }), inputs: { premise: PREMISE } });
    const waiting = await engine.drive(run.id);
    expect(waiting.status).toBe('waiting');
    expect(waiting.nodes.logline.status).toBe('completed');
    expect(waiting.nodes.beats.status).toBe('pending');
    const draft = waiting.pending[0].draft;
    const broken = (await caught(() => engine.decide(run.id, 'cast', { decision: 'edit', output: { nonsense: true } })));
    expect(broken.code).toBe('invalid_input');
    expect(broken.message).toContain("output of 'cast' (characters)");
    // A cast edited to 1000 characters is more than the type allows (config count ≤ 12): refused, saying why.
    const one = (draft as { characters: unknown[] }).characters[0];
    const crowd = (await caught(() => engine.decide(run.id, 'cast', { decision: 'edit', output: { characters: Array.from({ length: 1000 }, () => one) } })));
    expect(crowd.code).toBe('invalid_input');
    expect(crowd.message).toContain("output of 'cast' (characters) at characters: at most 12 characters, got 1000");
    expect((await engine.getRun(run.id))!.pending).toEqual([{ nodeId: 'cast', draft }]);
    expect((await caught(() => engine.decide(run.id, 'cast', { decision: 'reject', feedback: '  ' }))).code).toBe('invalid_input');
    expect((await caught(() => engine.decide(run.id, 'logline', { decision: 'approve' }))).code).toBe('conflict');
    expect((await caught(() => engine.decide(run.id, 'nope', { decision: 'approve' }))).code).toBe('not_found');

    await engine.decide(run.id, 'cast', { decision: 'edit', output: draft });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.cast.output).toEqual(draft);
  });
});
