// The SQLite stores on a real file: pipeline versions, atomic event sequence numbers across connections,
// outputs by reference, and approvals that accept exactly one decision.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { openSqliteStoreSet as openStores, type SqliteStoreSet as Stores } from '../../src/store';
import { leaseIsDead } from '../../src/runner/lease';
import { isStoryloomError } from '../../src/errors';
import type { Pipeline } from '../../src/pipeline/schema';
import { eventsOf } from '../../../../test/support/events';

const pipeline = (name: string): Pipeline => ({ format: 'storyloom/pipeline@1', id: 'tale', name, nodes: [], edges: [] });

describe('SQLite stores', () => {
  let dir: string;
  let dbPath: string;
  const opened: Stores[] = [];
  const open = () => {
    const stores = openStores(dbPath);
    opened.push(stores);
    return stores;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storyloom-store-'));
    dbPath = join(dir, 'a', 'b', 'db.sqlite');
  });
  afterEach(() => {
    for (const stores of opened.splice(0)) stores.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the folder and uses WAL with a busy timeout', () => {
    const { db } = open();
    expect(existsSync(dbPath)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('keeps every pipeline version and refuses a stale save', () => {
    const { pipelines } = open();
    expect(pipelines.create(pipeline('One')).version).toBe(1);
    expect(() => pipelines.create(pipeline('Again'))).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(pipelines.save('tale', pipeline('Two'), 1).version).toBe(2);
    let stale: unknown;
    try {
      pipelines.save('tale', pipeline('Stale'), 1);
    } catch (error) {
      stale = error;
    }
    expect(isStoryloomError(stale, 'conflict')).toBe(true);
    expect(pipelines.get('tale')?.pipeline.name).toBe('Two');
    expect(pipelines.get('tale', 1)?.pipeline.name).toBe('One');
    expect(pipelines.versions('tale').map((v) => [v.version, v.name])).toEqual([
      [1, 'One'],
      [2, 'Two'],
    ]);
    expect(pipelines.list().map((p) => p.id)).toEqual(['tale']);
    expect(pipelines.delete('tale')).toBe(true);
    expect(pipelines.get('tale')).toBeUndefined();
    expect(pipelines.delete('tale')).toBe(false);
  });

  it('numbers events 1, 2, 3 … without gaps when two connections append in turn', () => {
    const a = open();
    const b = open();
    a.runs.insert({ id: 'r1', pipelineId: 'tale', version: null, inputs: {}, pipeline: pipeline('x'), autoApprove: false });
    for (let i = 0; i < 50; i += 1) (i % 2 === 0 ? a : b).events.append('r1', { type: 'node.token', nodeId: 'n', data: { text: String(i) } });
    const events = b.events.list('r1');
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(eventsOf(events, 'node.token').map((event) => event.data.text)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(a.events.list('r1', 48).map((event) => event.seq)).toEqual([49, 50]);
  });

  it('stores a reused output as a reference and expands it on read', () => {
    const stores = open();
    const long = 'x'.repeat(10_000);
    stores.outputs.put({ runId: 'p', nodeId: 'n', attempt: 2, source: 'model', output: { text: long } });
    stores.outputs.putReference('c', 'n', { runId: 'p', attempt: 2 });
    stores.outputs.putReference('g', 'n', { runId: 'c', attempt: 1 });
    expect(stores.outputs.get('g', 'n', 1)).toMatchObject({ source: 'reused', output: { text: long } });
    const raw = stores.db.prepare(`SELECT output, ref_run_id FROM node_outputs WHERE run_id = 'g'`).get() as { output: null; ref_run_id: string };
    expect(raw).toEqual({ output: null, ref_run_id: 'p' });
  });

  it('lets one owner hold a run lease until it expires or its process dies', () => {
    const a = open();
    a.runs.insert({ id: 'r1', pipelineId: 'tale', version: null, inputs: {}, pipeline: pipeline('x'), autoApprove: false });
    const claim = (owner: string, host: string, pid: number, ttlMs = 10_000) =>
      a.runs.claimLease('r1', { owner, host, pid, ttlMs, holderIsGone: (lease) => leaseIsDead(lease) });
    // A live holder on another host keeps it until expiry. Each change of hands moves the epoch on.
    expect(claim('far:1', 'far-away-host', 1)).toEqual({ ok: true, epoch: 1 });
    expect(claim('me', hostname(), process.pid)).toEqual({ ok: false, holder: 'far:1' });
    expect(claim('far:1', 'far-away-host', 1, -1)).toEqual({ ok: true, epoch: 1 }); // renewed into the past: expired
    expect(claim('me', hostname(), process.pid)).toEqual({ ok: true, epoch: 2 });
    // A holder on this host whose process is gone is displaced at once.
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    expect(claim('ghost', hostname(), dead)).toEqual({ ok: false, holder: 'me' });
    a.runs.releaseLease('r1', 'me');
    expect(claim('ghost', hostname(), dead)).toEqual({ ok: true, epoch: 3 });
    expect(claim('me', hostname(), process.pid)).toEqual({ ok: true, epoch: 4 });
    // Fencing: the lease is 'me' at epoch 4; an older epoch of the same owner can neither renew nor write.
    expect(a.runs.holdsLease('r1', 'me', 4)).toBe(true);
    expect(a.runs.holdsLease('r1', 'me', 2)).toBe(false);
    expect(a.runs.renewLease('r1', 'me', 1000, 2)).toBe(false);
    expect(a.runs.renewLease('r1', 'ghost', 1000)).toBe(false);
    expect(a.runs.renewLease('r1', 'me', 1000)).toBe(true);
  });

  it('accepts exactly one decision per pending approval, across connections', () => {
    const a = open();
    const b = open();
    a.approvals.request('r1', 'cast', 1);
    expect(a.approvals.decide('r1', 'cast', { decision: 'approve' })).toBe(true);
    expect(b.approvals.decide('r1', 'cast', { decision: 'reject', feedback: 'no' })).toBe(false);
    expect(b.approvals.get('r1', 'cast', 1)).toMatchObject({ status: 'approved', applied: false });
    expect(b.approvals.markApplied('r1', 'cast', 1)).toBe(true);
    expect(a.approvals.markApplied('r1', 'cast', 1)).toBe(false);
  });
});
