// The one store contract, run on both implementations: the embedded SQLite file and PostgreSQL (a database of
// its own on the local server). Two store instances on one database stand for two processes or machines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPgStores, openSqliteStores, type Stores } from '../../src/store';
import { MIGRATIONS } from '../../src/store/postgres/migrations';
import type { Pipeline } from '../../src/pipeline/schema';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';

const pipeline = (name: string, id = 'tale'): Pipeline => ({ format: 'storyloom/pipeline@1', id, name, nodes: [], edges: [] });
const newRun = (id: string, status?: string) => ({ id, pipelineId: status ?? 'tale', version: null, inputs: { premise: 'p' }, pipeline: pipeline('x'), autoApprove: false });

/** Every timer jest can fake but the clock. */
const NOT_THE_CLOCK: FakeableAPI[] = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'];

interface Backend {
  /** Opens another store instance on the same database (another process, as far as the store can tell). */
  open(): Promise<Stores>;
  teardown(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'storyloom-contract-'));
  const opened: Stores[] = [];
  return {
    open: async () => {
      const stores = openSqliteStores(join(dir, 'db.sqlite'));
      opened.push(stores);
      return stores;
    },
    teardown: async () => {
      for (const stores of opened) await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const database: TestDatabase = await createTestDatabase();
  const opened: Stores[] = [];
  return {
    open: async () => {
      const stores = await openPgStores(database.url, { poolSize: 4 });
      opened.push(stores);
      return stores;
    },
    teardown: async () => {
      for (const stores of opened) await stores.close();
      await database.drop();
    },
  };
}

describe.each([
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
])('store contract: %s', (_name, makeBackend) => {
  let backend: Backend;
  let a: Stores;
  let b: Stores;
  beforeEach(async () => {
    backend = await makeBackend();
    a = await backend.open();
    b = await backend.open();
  });
  afterEach(() => backend.teardown());

  it('keeps every pipeline version, refuses a stale save, and never reuses a version number', async () => {
    expect((await a.pipelines.create(pipeline('One'))).version).toBe(1);
    await expect(b.pipelines.create(pipeline('Again'))).rejects.toMatchObject({ code: 'conflict' });
    expect((await b.pipelines.save('tale', pipeline('Two'), 1)).version).toBe(2);
    await expect(a.pipelines.save('tale', pipeline('Stale'), 1)).rejects.toMatchObject({ code: 'conflict', details: { latestVersion: 2 } });
    expect((await a.pipelines.get('tale'))?.pipeline.name).toBe('Two');
    expect((await a.pipelines.get('tale', 1))?.pipeline.name).toBe('One');
    expect((await a.pipelines.versions('tale')).map((v) => [v.version, v.name, v.valid, v.problemCount])).toEqual([
      [1, 'One', true, 0],
      [2, 'Two', true, 0],
    ]);
    const draft = await a.pipelines.save('tale', { ...pipeline('Draft'), edges: [{ source: 'x', target: 'y' }] }, 2, { draft: true });
    expect(draft).toMatchObject({ version: 3, valid: false });
    expect((await b.pipelines.versions('tale'))[2].problemCount).toBeGreaterThan(0);
    expect((await b.pipelines.list()).map((p) => [p.id, p.version])).toEqual([['tale', 3]]);
    expect(await a.pipelines.delete('tale')).toBe(true);
    expect(await a.pipelines.delete('tale')).toBe(false);
    expect((await b.pipelines.create(pipeline('Reborn'))).version).toBe(4);
  });

  it('saving an unchanged pipeline makes no new version (key order aside); a changed one does', async () => {
    await a.pipelines.create(pipeline('Same'));
    const reordered = Object.fromEntries(Object.entries(pipeline('Same')).reverse());
    expect((await b.pipelines.save('tale', reordered, 1)).version).toBe(1);
    expect(await a.pipelines.versions('tale')).toHaveLength(1);
    expect((await b.pipelines.save('tale', pipeline('Changed'), 1)).version).toBe(2);
  });

  it('creates a pipeline id once when two instances race', async () => {
    const results = await Promise.allSettled([a.pipelines.create(pipeline('A', 'race')), b.pipelines.create(pipeline('B', 'race'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
  });

  it('stores runs, filters them, counts them by status and carries the cancel flag', async () => {
    await a.runs.insert(newRun('r1'));
    await a.runs.insert(newRun('r2', 'other'));
    expect(await b.runs.get('r1')).toMatchObject({ id: 'r1', status: 'queued', inputs: { premise: 'p' }, pipeline: { name: 'x' }, cancelRequested: false });
    expect(await b.runs.get('nope')).toBeUndefined();
    await b.runs.setStatus('r1', 'failed', 'boom');
    expect(await a.runs.get('r1')).toMatchObject({ status: 'failed', error: 'boom' });
    expect((await a.runs.list({ status: 'failed' })).map((r) => r.id)).toEqual(['r1']);
    expect((await a.runs.list({ pipelineId: 'other' })).map((r) => r.id)).toEqual(['r2']);
    expect(await a.runs.countByStatus()).toEqual({ failed: 1, queued: 1 });
    await a.runs.requestCancel('r2');
    expect(await b.runs.isCancelRequested('r2')).toBe(true);
    await b.runs.clearCancel('r2');
    expect(await a.runs.isCancelRequested('r2')).toBe(false);
  });

  it('pages runs newest first, each exactly once, also among runs created in the same millisecond', async () => {
    // Inserted in one burst: several share a creation time, so the id decides their order.
    for (let index = 0; index < 7; index++) await a.runs.insert(newRun(`r${index}`, index % 3 === 0 ? 'other' : undefined));
    const walk = async (filter: { pipelineId?: string }, limit: number) => {
      const pages: string[][] = [];
      let after: { createdAt: string; id: string } | undefined;
      for (;;) {
        const page = await b.runs.page(filter, limit, after);
        pages.push(page.runs.map((run) => run.id));
        if (!page.more) return pages;
        const last = page.runs.at(-1)!;
        after = { createdAt: last.createdAt, id: last.id };
      }
    };
    const pages = await walk({}, 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    const all = await a.runs.list();
    const newestFirst = [...all].sort((x, y) => (x.createdAt === y.createdAt ? (x.id < y.id ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1));
    expect(pages.flat()).toEqual(newestFirst.map((run) => run.id));
    expect(new Set(pages.flat()).size).toBe(7);
    expect((await walk({ pipelineId: 'other' }, 2)).flat().sort()).toEqual(['r0', 'r3', 'r6']);
    expect(await b.runs.page({}, 10)).toMatchObject({ more: false });
  });

  it('hands a run lease to one owner at a time, moving the epoch on at each change of hands', async () => {
    await a.runs.insert(newRun('r1'));
    const claim = (stores: Stores, owner: string, ttlMs = 10_000) =>
      stores.runs.claimLease('r1', { owner, host: 'elsewhere', pid: 1, ttlMs, holderIsGone: () => false });
    expect(await claim(a, 'w1')).toEqual({ ok: true, epoch: 1 });
    expect(await claim(b, 'w2')).toEqual({ ok: false, holder: 'w1' });
    expect(await claim(a, 'w1', -1)).toEqual({ ok: true, epoch: 1 }); // its own, renewed into the past: expired
    expect(await claim(b, 'w2')).toEqual({ ok: true, epoch: 2 });
    // The stalled first owner is fenced off: it can neither renew nor pass the write check.
    expect(await a.runs.renewLease('r1', 'w1', 1000, 1)).toBe(false);
    expect(await a.runs.holdsLease('r1', 'w1', 1)).toBe(false);
    expect(await b.runs.holdsLease('r1', 'w2', 2)).toBe(true);
    expect(await b.runs.renewLease('r1', 'w2', 1000, 2)).toBe(true);
    await a.runs.releaseLease('r1', 'w1'); // not its lease: no effect
    expect((await a.runs.get('r1'))?.lease).toMatchObject({ owner: 'w2', epoch: 2 });
    await b.runs.releaseLease('r1', 'w2');
    expect((await a.runs.get('r1'))?.lease).toBeUndefined();
    expect(await claim(a, 'w3')).toEqual({ ok: true, epoch: 3 });
  });

  it("records the holder's process start time with the lease, and reads runs' drive states without their pipeline", async () => {
    await a.runs.insert(newRun('r1'));
    await a.runs.insert(newRun('r2'));
    await a.runs.setStatus('r2', 'running');
    const claim = (owner: string, started: string | undefined, holderIsGone: boolean) =>
      a.runs.claimLease('r2', { owner, host: 'h', pid: 42, started, ttlMs: 10_000, holderIsGone: () => holderIsGone });
    expect(await claim('w1', '987654', false)).toEqual({ ok: true, epoch: 1 });
    expect((await b.runs.get('r2'))?.lease).toMatchObject({ owner: 'w1', pid: 42, started: '987654', epoch: 1 });
    const states = await b.runs.driveStates(['queued', 'running']);
    expect(states.map((run) => [run.id, run.status, run.lease?.owner, run.lease?.started])).toEqual([
      ['r1', 'queued', undefined, undefined],
      ['r2', 'running', 'w1', '987654'],
    ]);
    expect(Object.keys(states[1]).sort()).toEqual(['createdAt', 'id', 'lease', 'status', 'updatedAt']);
    expect((await b.runs.driveStates(['running'])).map((run) => run.id)).toEqual(['r2']);
    expect(await b.runs.driveStates(['waiting'])).toEqual([]);
    // Taken over by a holder whose start time is unknown: the previous holder's is not left behind.
    expect(await claim('w2', undefined, true)).toEqual({ ok: true, epoch: 2 });
    const lease = (await b.runs.get('r2'))?.lease;
    expect(lease).toMatchObject({ owner: 'w2', epoch: 2 });
    expect(lease?.started).toBeUndefined();
    await a.runs.releaseLease('r2', 'w2');
    expect((await b.runs.driveStates(['running']))[0].lease).toBeUndefined();
  });

  it('gives one of two racing claimers the lease', async () => {
    await a.runs.insert(newRun('r1'));
    const claims = await Promise.all(
      [a, b, a, b].map((stores, index) => stores.runs.claimLease('r1', { owner: `w${index}`, host: 'h', pid: 1, ttlMs: 10_000, holderIsGone: () => false })),
    );
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
  });

  it('numbers each run’s events 1, 2, 3… with no gap or duplicate when instances append at once', async () => {
    await a.runs.insert(newRun('r1'));
    await a.runs.insert(newRun('r2'));
    const appends = [];
    for (let i = 0; i < 40; i += 1) {
      const stores = i % 2 === 0 ? a : b;
      appends.push(stores.events.append(i % 4 < 2 ? 'r1' : 'r2', { type: 'node.token', nodeId: 'n', data: { text: `t${i}` } }));
    }
    await Promise.all(appends);
    for (const runId of ['r1', 'r2']) {
      const seqs = (await b.events.list(runId)).map((event) => event.seq);
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await a.events.lastSeq(runId)).toBe(20);
    }
    expect((await a.events.list('r1', 18)).map((e) => e.seq)).toEqual([19, 20]);
    expect((await a.events.list('r1', 0, 3)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await a.events.hasEvent('r1', 'node.token')).toBe(true);
    expect(await a.events.hasEvent('r1', 'run.completed')).toBe(false);
  });

  it('moves the run’s updatedAt with lifecycle events but not with token chunks', async () => {
    await a.runs.insert(newRun('r1'));
    const before = (await a.runs.get('r1'))!.updatedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await a.events.append('r1', { type: 'node.token', nodeId: 'n', data: { text: 'x' } });
    expect((await a.runs.get('r1'))!.updatedAt).toBe(before);
    await a.events.append('r1', { type: 'node.started', nodeId: 'n', data: { attempt: 1 } });
    expect((await a.runs.get('r1'))!.updatedAt > before).toBe(true);
  });

  it('expands an event’s output from the outputs table, following a rerun’s reference', async () => {
    await a.runs.insert(newRun('parent'));
    await a.runs.insert(newRun('child'));
    const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3, calls: 1 };
    await a.outputs.put({ runId: 'parent', nodeId: 'n', attempt: 2, source: 'model', output: { text: 'long' }, usage });
    await a.outputs.putReference('child', 'n', { runId: 'parent', attempt: 2 });
    await a.outputs.putReference('grandchild', 'n', { runId: 'child', attempt: 1 });
    expect(await b.outputs.get('grandchild', 'n', 1)).toMatchObject({ source: 'reused', output: { text: 'long' } });
    expect(await b.outputs.get('parent', 'n', 2)).toMatchObject({ source: 'model', usage: { totalTokens: 3 } });
    expect(await b.outputs.get('parent', 'n', 1)).toBeUndefined();
    await a.events.append('child', { type: 'node.completed', nodeId: 'n', outputAttempt: 1, data: { attempt: 1, usage } });
    await a.events.append('child', { type: 'approval.requested', nodeId: 'n', outputAttempt: 1, data: { attempt: 1 } });
    const [completed, requested] = await b.events.list('child');
    expect(completed.data).toEqual({ attempt: 1, usage, output: { text: 'long' } });
    expect(requested.data).toEqual({ attempt: 1, draft: { text: 'long' } });
  });

  it('keeps node states, and puts nodes left running back to pending', async () => {
    await a.nodes.set('r1', 'x', { status: 'running' });
    await a.nodes.set('r1', 'y', { status: 'completed', attempt: 2, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, calls: 1 } });
    await a.nodes.set('r1', 'y', { status: 'waiting' }); // attempt and usage are kept when not given
    expect(await b.nodes.get('r1', 'y')).toEqual({ nodeId: 'y', status: 'waiting', attempt: 2, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, calls: 1 } });
    await b.nodes.resetRunning('r1');
    expect((await a.nodes.list('r1')).map((n) => [n.nodeId, n.status]).sort()).toEqual([
      ['x', 'pending'],
      ['y', 'waiting'],
    ]);
  });

  it('accepts exactly one decision per pending approval, across instances', async () => {
    await a.approvals.request('r1', 'cast', 1);
    await a.approvals.request('r1', 'cast', 1); // asking twice is one request
    expect((await b.approvals.pending()).map((p) => [p.runId, p.nodeId, p.attempt])).toEqual([['r1', 'cast', 1]]);
    const decisions = await Promise.all([
      a.approvals.decide('r1', 'cast', { decision: 'approve' }),
      b.approvals.decide('r1', 'cast', { decision: 'reject', feedback: 'no' }),
    ]);
    expect(decisions.filter(Boolean)).toHaveLength(1);
    expect(await a.approvals.pending('r1')).toEqual([]);
    expect(await b.approvals.decidedNotApplied('r1')).toHaveLength(1);
    expect(await b.approvals.markApplied('r1', 'cast', 1)).toBe(true);
    expect(await a.approvals.markApplied('r1', 'cast', 1)).toBe(false);
    expect(await a.approvals.decidedNotApplied('r1')).toEqual([]);
    await a.approvals.request('r1', 'beats', 1);
    await a.approvals.decide('r1', 'beats', { decision: 'reject', feedback: 'older' });
    await a.approvals.request('r1', 'beats', 2);
    await a.approvals.decide('r1', 'beats', { decision: 'reject', feedback: 'warier' });
    expect(await b.approvals.feedback('r1', 'beats')).toEqual(['older', 'warier']);
    await a.approvals.autoApprove('r1', 'logline', 1);
    expect(await b.approvals.get('r1', 'logline', 1)).toMatchObject({ status: 'approved', applied: true, decision: { decision: 'approve' } });
  });

  it('reopens only the rejected requests it is given, as pending with no decision', async () => {
    for (const key of ['cast#budget', 'beats#budget', 'lines']) {
      await a.approvals.request('r1', key, 1);
      await a.approvals.decide('r1', key, { decision: 'reject', feedback: 'no' });
      await a.approvals.markApplied('r1', key, 1);
    }
    await a.approvals.request('r2', 'cast#budget', 1);
    await a.approvals.decide('r2', 'cast#budget', { decision: 'reject' });
    await a.approvals.request('r1', 'notes#budget', 1);
    await a.approvals.decide('r1', 'notes#budget', { decision: 'approve' });

    const reopened = await b.approvals.reopenRejected('r1', ['cast#budget', 'notes#budget', 'script#budget']);
    expect(reopened.map((r) => [r.nodeId, r.attempt, r.status, r.decision, r.decidedAt, r.applied])).toEqual([['cast#budget', 1, 'pending', undefined, undefined, false]]);
    expect((await a.approvals.pending('r1')).map((r) => r.nodeId)).toEqual(['cast#budget']);
    expect(await a.approvals.get('r1', 'beats#budget', 1)).toMatchObject({ status: 'rejected' });
    expect(await a.approvals.get('r2', 'cast#budget', 1)).toMatchObject({ status: 'rejected' });
    expect(await a.approvals.get('r1', 'notes#budget', 1)).toMatchObject({ status: 'approved' });
    expect(await a.approvals.decide('r1', 'cast#budget', { decision: 'approve' })).toBe(true);
    expect(await b.approvals.reopenRejected('r1', ['cast#budget'])).toEqual([]);
  });

  it('records a completed model call once and reads it back; meta is a key-value table', async () => {
    await a.modelCalls.put({ runId: 'r1', nodeId: 'lines', attempt: 1, callKey: 'scene-2#0', reply: { text: 'hello' } });
    await b.modelCalls.put({ runId: 'r1', nodeId: 'lines', attempt: 1, callKey: 'scene-2#0', reply: { text: 'other' } });
    expect(await b.modelCalls.get('r1', 'lines', 1, 'scene-2#0')).toMatchObject({ reply: { text: 'hello' } });
    expect(await b.modelCalls.get('r1', 'lines', 2, 'scene-2#0')).toBeUndefined();
    expect((await a.modelCalls.get('r1', 'lines', 1, 'scene-2#0'))?.usage).toBeUndefined();
    // Kept with what it spent; a reply shaped like anything (here an object with a `usage` of its own) reads back as written.
    const usage = { inputTokens: 120, outputTokens: 30, calls: 2 };
    await a.modelCalls.put({ runId: 'r1', nodeId: 'lines', attempt: 1, callKey: 'facts#0', reply: { usage: 'its own', reply: 1 }, usage });
    const kept = await b.modelCalls.get('r1', 'lines', 1, 'facts#0');
    expect(kept).toMatchObject({ reply: { usage: 'its own', reply: 1 }, usage });
    expect(kept!.at! <= new Date().toISOString()).toBe(true);
    expect(await a.meta.get('k')).toBeUndefined();
    await a.meta.set('k', 'v1');
    await b.meta.set('k', 'v2');
    expect(await a.meta.get('k')).toBe('v2');
  });

  it('commits a transaction whole or not at all', async () => {
    await a.runs.insert(newRun('r1'));
    await expect(
      a.transaction(async (tx) => {
        await tx.runs.setStatus('r1', 'completed');
        await tx.events.append('r1', { type: 'run.completed', data: {} });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await b.runs.get('r1'))?.status).toBe('queued');
    expect(await b.events.list('r1')).toEqual([]);
    const seq = await a.transaction(async (tx) => {
      await tx.runs.setStatus('r1', 'completed');
      return tx.events.append('r1', { type: 'run.completed', data: {} });
    });
    expect(seq).toBe(1);
    expect((await b.runs.get('r1'))?.status).toBe('completed');
  });

  it('serializes transactions on the same exclusive key across instances', async () => {
    const order: string[] = [];
    const step = (name: string, stores: Stores) =>
      stores.transaction(
        async (tx) => {
          order.push(`${name} in`);
          const seen = Number((await tx.meta.get('counter')) ?? 0);
          await new Promise((resolve) => setTimeout(resolve, 30));
          await tx.meta.set('counter', String(seen + 1));
          order.push(`${name} out`);
        },
        { exclusiveKey: 'counter' },
      );
    await Promise.all([step('a', a), step('b', b)]);
    expect(await a.meta.get('counter')).toBe('2');
    expect([order.slice(0, 2), order.slice(2)].map((pair) => pair[0].split(' ')[0] === pair[1].split(' ')[0])).toEqual([true, true]);
  });

  it('records a webhook delivery with each event it subscribes to, in the transaction of the event, and none twice', async () => {
    await a.runs.insert(newRun('r1'));
    const hook = await a.webhooks.create({ id: 'wh-1', url: 'http://127.0.0.1:9/hook', secret: 's'.repeat(20), events: ['run.completed', 'approval.requested'] });
    await a.webhooks.create({ id: 'wh-2', url: 'http://127.0.0.1:9/other', secret: 's'.repeat(20), events: ['run.failed'] });
    expect(hook).toMatchObject({ id: 'wh-1', url: 'http://127.0.0.1:9/hook', events: ['run.completed', 'approval.requested'] });
    expect(hook).not.toHaveProperty('secret');
    expect((await b.webhooks.list()).map((h) => h.id)).toEqual(['wh-1', 'wh-2']);
    // Rolled back with its event: no delivery.
    await expect(
      a.transaction(async (tx) => {
        await tx.events.append('r1', { type: 'run.completed', data: {} });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await b.webhooks.deliveries('wh-1', 10)).toEqual([]);
    await a.events.append('r1', { type: 'node.started', nodeId: 'n', data: { attempt: 1 } });
    await a.events.append('r1', { type: 'approval.requested', nodeId: 'cast', outputAttempt: 1, data: { attempt: 1, autoApprove: true } });
    await a.events.append('r1', { type: 'approval.requested', nodeId: 'cast', outputAttempt: 2, data: { attempt: 2 } });
    await a.transaction((tx) => tx.events.append('r1', { type: 'run.completed', data: {} }));
    const deliveries = await b.webhooks.deliveries('wh-1', 10);
    expect(deliveries.map((d) => [d.event, d.status, d.payload.seq, d.payload.nodeId])).toEqual([
      ['run.completed', 'pending', 4, undefined],
      ['approval.requested', 'pending', 3, 'cast'],
    ]);
    expect(deliveries[1].payload).toMatchObject({ id: deliveries[1].id, hookId: 'wh-1', event: 'approval.requested', run: { id: 'r1', pipelineId: 'tale' }, data: { attempt: 2 } });
    expect(await b.webhooks.deliveries('wh-2', 10)).toEqual([]);
    expect(await a.webhooks.delete('wh-2')).toBe(true);
    expect(await a.webhooks.delete('wh-2')).toBe(false);
    expect(await b.webhooks.get('wh-2')).toBeUndefined();
  });

  it('hands each due delivery to one sender, logs its tries, and retries it when due', async () => {
    await a.runs.insert(newRun('r1'));
    await a.webhooks.create({ id: 'wh-1', url: 'http://127.0.0.1:9/hook', secret: 's'.repeat(20), events: ['run.failed'] });
    await a.events.append('r1', { type: 'run.failed', data: { error: 'boom' } });
    const now = Date.now() + 1;
    const [first, second] = await Promise.all([a.webhooks.claimDue('a', now, 60_000, 5), b.webhooks.claimDue('b', now, 60_000, 5)]);
    expect([...first, ...second]).toHaveLength(1);
    const [claimed, owner] = first.length === 1 ? [first[0], 'a'] : [second[0], 'b'];
    expect(claimed).toMatchObject({ hookId: 'wh-1', url: 'http://127.0.0.1:9/hook', secret: 's'.repeat(20), event: 'run.failed', attempts: 0 });
    expect(JSON.parse(claimed.body)).toMatchObject({ event: 'run.failed', data: { error: 'boom' } });
    // Only the holder may record it.
    const attempt = { at: new Date(now).toISOString(), status: 500, durationMs: 3 };
    expect(await a.webhooks.record(claimed.id, 'nobody', attempt, { status: 'delivered' })).toBe(false);
    expect(await b.webhooks.record(claimed.id, owner, attempt, { status: 'pending', nextAttemptAt: now + 1_000 })).toBe(true);
    expect(await a.webhooks.nextDue()).toBe(now + 1_000);
    expect(await a.webhooks.claimDue('a', now + 500, 60_000, 5)).toEqual([]);
    const [again] = await a.webhooks.claimDue('a', now + 1_000, 60_000, 5);
    expect(again).toMatchObject({ id: claimed.id, attempts: 1, body: claimed.body });
    // A sender that dies holding it: the lock expires and another takes it.
    expect(await b.webhooks.claimDue('b', now + 2_000, 60_000, 5)).toEqual([]);
    const [taken] = await b.webhooks.claimDue('b', now + 61_001, 60_000, 5);
    expect(taken.id).toBe(claimed.id);
    expect(await a.webhooks.record(claimed.id, 'a', attempt, { status: 'delivered' })).toBe(false);
    expect(await b.webhooks.record(claimed.id, 'b', { at: attempt.at, status: 200, durationMs: 2 }, { status: 'delivered' })).toBe(true);
    const [delivery] = await a.webhooks.deliveries('wh-1', 10);
    expect(delivery).toMatchObject({ status: 'delivered', deliveredAt: attempt.at, attempts: [{ status: 500 }, { status: 200 }] });
    expect(delivery).not.toHaveProperty('nextAttemptAt');
    expect(await a.webhooks.nextDue()).toBeUndefined();
    expect(await b.webhooks.claimDue('b', now + 999_999, 60_000, 5)).toEqual([]);
  });

  it('keeps comment threads on node outputs with their replies, anchors and status', async () => {
    const actor = { id: 'u1', name: 'Ana', role: 'reviewer' as const };
    await a.comments.createThread({ id: 't1', runId: 'r1', nodeId: 'lines', attempt: 1, scene: 2, body: 'Too long', author: actor });
    await b.comments.createThread({ id: 't2', runId: 'r1', nodeId: 'cast', field: '/characters/0/name', body: 'Rename her' });
    await a.comments.createThread({ id: 't3', runId: 'r2', nodeId: 'lines', body: 'Other run' });
    expect(await b.comments.reply('r1', 't1', { id: 'c2', body: 'Agreed', author: { ...actor, id: 'u2', name: 'Bo' } })).toBe(true);
    expect(await b.comments.reply('r2', 't1', { id: 'c3', body: 'wrong run' })).toBe(false);
    expect(await b.comments.reply('r1', 'c2', { id: 'c4', body: 'not a thread' })).toBe(false);
    const threads = await a.comments.list('r1');
    expect(threads.map((t) => [t.id, t.nodeId, t.status, t.anchor, t.comments.map((c) => c.body)])).toEqual([
      ['t1', 'lines', 'open', { scene: 2 }, ['Too long', 'Agreed']],
      ['t2', 'cast', 'open', { field: '/characters/0/name' }, ['Rename her']],
    ]);
    expect(threads[0]).toMatchObject({ runId: 'r1', attempt: 1, comments: [{ author: actor }, { author: { name: 'Bo' } }] });
    expect(threads[1]).not.toHaveProperty('attempt');
    expect(await a.comments.setStatus('r1', 't1', 'resolved', actor)).toBe(true);
    expect(await a.comments.setStatus('r2', 't2', 'resolved')).toBe(false);
    expect((await b.comments.list('r1', { status: 'open' })).map((t) => t.id)).toEqual(['t2']);
    expect(await b.comments.list('r1', { nodeId: 'lines' })).toMatchObject([{ id: 't1', status: 'resolved', resolvedBy: actor }]);
    expect(await b.comments.setStatus('r1', 't1', 'open')).toBe(true);
    const reopened = (await a.comments.list('r1', { nodeId: 'lines' }))[0];
    expect(reopened.status).toBe('open');
    expect(reopened).not.toHaveProperty('resolvedBy');
  });

  it('keeps every execution of a node in order with its cost, and sums a pipeline\'s spending per day', async () => {
    await a.runs.insert(newRun('r1'));
    await a.runs.insert(newRun('r2'));
    await a.runs.insert({ ...newRun('r3'), pipelineId: 'other' });
    const spent = { inputTokens: 100, outputTokens: 40, calls: 2 };
    await a.transaction(async (tx) => {
      await tx.attempts.add('r1', 'lines', { attempt: 1, source: 'model', status: 'failed', model: 'openai:m', ...spent, costUsd: 0.001 });
      await tx.attempts.add('r1', 'lines', { attempt: 1, source: 'model', status: 'completed', model: 'openai:m', ...spent, costUsd: 0.002, candidates: 3 });
    });
    await b.attempts.add('r1', 'lines', { attempt: 2, source: 'revision', status: 'completed', model: 'openai:house', ...spent });
    await b.attempts.add('r1', 'cast', { attempt: 1, source: 'model', status: 'completed', inputTokens: 0, outputTokens: 0, calls: 0, costUsd: 0 });
    await b.attempts.add('r2', 'cast', { attempt: 1, source: 'model', status: 'completed', model: 'openai:m', ...spent, costUsd: 0.0005 });
    await b.attempts.add('r3', 'cast', { attempt: 1, source: 'model', status: 'completed', model: 'openai:m', ...spent, costUsd: 5 });

    const lines = await a.attempts.forNode('r1', 'lines');
    expect(lines.map((x) => [x.attempt, x.source, x.status, x.costUsd, x.unpriced, x.candidates])).toEqual([
      [1, 'model', 'failed', 0.001, undefined, undefined],
      [1, 'model', 'completed', 0.002, undefined, 3],
      [2, 'revision', 'completed', undefined, true, undefined],
    ]);
    expect(lines[0]).toMatchObject({ nodeId: 'lines', model: 'openai:m', inputTokens: 100, outputTokens: 40, totalTokens: 140, calls: 2 });
    expect((await b.attempts.list('r1')).map((x) => x.nodeId)).toEqual(['cast', 'lines', 'lines', 'lines']);
    expect(await a.attempts.list('r9')).toEqual([]);

    const today = new Date().toISOString().slice(0, 10);
    expect(await b.attempts.dailyUsage('tale', today)).toEqual([
      { day: today, runs: 2, inputTokens: 400, outputTokens: 160, totalTokens: 560, calls: 8, costUsd: 0.0035, unpriced: true },
    ]);
    expect(await b.attempts.dailyUsage('other', today)).toEqual([{ day: today, runs: 1, inputTokens: 100, outputTokens: 40, totalTokens: 140, calls: 2, costUsd: 5 }]);
    expect(await b.attempts.dailyUsage('tale', '2999-01-01')).toEqual([]);
  });

  it('counts a run that spent on two days once over the period, and once on each day', async () => {
    await a.runs.insert(newRun('r1'));
    await a.runs.insert(newRun('r2'));
    const spent = { source: 'model' as const, status: 'completed' as const, inputTokens: 10, outputTokens: 5, calls: 1, costUsd: 0.01 };
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    // Only the clock is moved back a day: the drivers' own timers keep running.
    jest.useFakeTimers({ now: Date.parse(`${yesterday}T23:59:00Z`), doNotFake: NOT_THE_CLOCK });
    try {
      await a.attempts.add('r1', 'lines', { attempt: 1, ...spent });
    } finally {
      jest.useRealTimers();
    }
    await b.attempts.add('r1', 'lines', { attempt: 2, ...spent });
    await b.attempts.add('r2', 'lines', { attempt: 1, ...spent });

    expect((await a.attempts.dailyUsage('tale', yesterday)).map((day) => [day.day, day.runs, day.calls])).toEqual([
      [yesterday, 1, 1],
      [today, 2, 2],
    ]);
    expect(await b.attempts.spendingRuns('tale', yesterday)).toBe(2);
    expect(await b.attempts.spendingRuns('tale', today)).toBe(2);
    expect(await a.attempts.spendingRuns('other', yesterday)).toBe(0);
  });

  it('keeps a run\'s budget, replaced or removed by a decision', async () => {
    await a.runs.insert({ ...newRun('r1'), budget: { maxCostUsd: 0.5, maxTokens: 1000 } });
    await a.runs.insert(newRun('r2'));
    expect((await b.runs.get('r1'))?.budget).toEqual({ maxCostUsd: 0.5, maxTokens: 1000 });
    expect((await b.runs.get('r2'))?.budget).toBeUndefined();
    await b.runs.setBudget('r1', { maxCostUsd: 2 });
    expect((await a.runs.get('r1'))?.budget).toEqual({ maxCostUsd: 2 });
    await a.runs.setBudget('r1', null);
    expect((await b.runs.get('r1'))?.budget).toBeUndefined();
  });

  it('tells subscribers after an event is committed', async () => {
    await a.runs.insert(newRun('r1'));
    const heard: Array<string | undefined> = [];
    // On PostgreSQL any instance hears it; on SQLite the writing process does.
    const listener = a.kind === 'postgres' ? b : a;
    const stop = listener.onAppend((runId) => heard.push(runId));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the LISTEN connection is up
    heard.length = 0;
    await a.events.append('r1', { type: 'node.started', nodeId: 'n', data: { attempt: 1 } });
    const deadline = Date.now() + 5_000;
    while (!heard.includes('r1') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    stop();
    expect(heard).toContain('r1');
  });

  it('keeps users with roles, finds them by token hash, and revokes them (a revoked name may be given again)', async () => {
    expect(await a.users.hasActive()).toBe(false);
    const ana = await a.users.add({ id: 'u1', name: 'ana', role: 'reviewer' });
    expect(ana).toMatchObject({ id: 'u1', name: 'ana', role: 'reviewer' });
    await expect(b.users.add({ id: 'u2', name: 'ana', role: 'editor' })).rejects.toMatchObject({ code: 'conflict' });
    await a.users.addToken('u1', 'hash-1');
    await b.users.addToken('u1', 'hash-2');
    expect(await b.users.hasActive()).toBe(true);
    expect((await b.users.byTokenHash('hash-2'))?.name).toBe('ana');
    expect(await b.users.byTokenHash('hash-3')).toBeUndefined();
    expect((await b.users.find('u1'))?.name).toBe('ana');
    expect(await b.users.revoke('ana')).toBe(true);
    expect(await a.users.revoke('ana')).toBe(false);
    expect(await a.users.byTokenHash('hash-1')).toBeUndefined();
    expect(await a.users.find('ana')).toBeUndefined();
    expect(await a.users.hasActive()).toBe(false);
    await a.users.add({ id: 'u3', name: 'ana', role: 'viewer' });
    expect((await b.users.find('ana'))?.id).toBe('u3');
    const listed = await b.users.list();
    expect(listed.map((user) => [user.id, user.role, user.revokedAt !== undefined])).toEqual([
      ['u1', 'reviewer', true],
      ['u3', 'viewer', false],
    ]);
  });

  it('records who started a run, who cancelled it and who caused each event, and lists the audit by pipeline and by run', async () => {
    const ana = { id: 'u1', name: 'ana', role: 'editor' as const };
    const ben = { id: 'u2', name: 'ben', role: 'reviewer' as const };
    await a.runs.insert({ ...newRun('r1'), startedBy: ana });
    await a.runs.insert(newRun('r2'));
    expect((await b.runs.get('r1'))?.startedBy).toEqual(ana);
    expect((await b.runs.get('r2'))?.startedBy).toBeUndefined();
    await b.events.append('r1', { type: 'run.started', data: { pipelineId: 'tale', version: null, inputs: { premise: 'p' } }, actor: ana });
    await b.events.append('r1', { type: 'node.started', nodeId: 'n', data: { attempt: 1 } });
    const events = await a.events.list('r1');
    expect(events.map((event) => event.actor)).toEqual([ana, undefined]);
    expect(events[1]).not.toHaveProperty('actor');
    await a.runs.requestCancel('r1', ben);
    expect((await b.runs.get('r1'))?.cancelledBy).toEqual(ben);
    await b.runs.clearCancel('r1');
    expect((await a.runs.get('r1'))?.cancelledBy).toBeUndefined();

    await a.audit.record({ action: 'pipeline.created', actor: ana, pipelineId: 'tale', detail: { version: 1 } });
    await b.audit.record({ action: 'run.started', actor: ana, pipelineId: 'tale', runId: 'r1' });
    await a.audit.record({ action: 'approval.decided', actor: ben, pipelineId: 'tale', runId: 'r1', nodeId: 'cast', detail: { decision: 'reject', feedback: 'older' } });
    await b.audit.record({ action: 'run.started', actor: ben, pipelineId: 'other', runId: 'r2' });
    const forPipeline = await b.audit.list({ pipelineId: 'tale' });
    expect(forPipeline.map((entry) => [entry.action, entry.actor.name])).toEqual([
      ['pipeline.created', 'ana'],
      ['run.started', 'ana'],
      ['approval.decided', 'ben'],
    ]);
    expect(forPipeline[0].seq).toBeLessThan(forPipeline[2].seq);
    const forRun = await a.audit.list({ runId: 'r1' });
    expect(forRun).toHaveLength(2);
    expect(forRun[1]).toMatchObject({ nodeId: 'cast', detail: { decision: 'reject', feedback: 'older' }, actor: ben });
    expect(forRun[0].detail).toEqual({});
    expect(await a.audit.list({ runId: 'nope' })).toEqual([]);
  });
});

describe('PostgreSQL schema migrations', () => {
  it('apply once when two servers open a new database at the same moment', async () => {
    const database = await createTestDatabase();
    try {
      const opened = await Promise.all([openPgStores(database.url), openPgStores(database.url), openPgStores(database.url)]);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
      await client.end();
      expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version)); // each once
      await opened[0].runs.insert(newRun('r1'));
      expect((await opened[2].runs.get('r1'))?.id).toBe('r1');
      for (const stores of opened) await stores.close();
    } finally {
      await database.drop();
    }
  });

  it('bring a database made before lease start times were recorded up to date, keeping its runs and leases', async () => {
    const database = await createTestDatabase();
    try {
      const first = await openPgStores(database.url);
      await first.runs.insert(newRun('r1'));
      await first.runs.claimLease('r1', { owner: 'w1', host: 'h', pid: 7, ttlMs: 60_000, holderIsGone: () => false });
      await first.close();
      // What a database without migration 2 looks like (the later migrations touch other tables).
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query('ALTER TABLE runs DROP COLUMN lease_started');
      await client.query('DELETE FROM schema_migrations WHERE version = 2');
      await client.end();

      const upgraded = await openPgStores(database.url);
      expect((await upgraded.runs.get('r1'))?.lease).toMatchObject({ owner: 'w1', pid: 7, epoch: 1 });
      expect((await upgraded.runs.get('r1'))?.lease?.started).toBeUndefined();
      await upgraded.runs.releaseLease('r1', 'w1');
      expect(await upgraded.runs.claimLease('r1', { owner: 'w2', host: 'h', pid: 8, started: '55', ttlMs: 60_000, holderIsGone: () => false })).toEqual({
        ok: true,
        epoch: 2,
      });
      expect((await upgraded.runs.get('r1'))?.lease?.started).toBe('55');
      await upgraded.close();
    } finally {
      await database.drop();
    }
  });
});
