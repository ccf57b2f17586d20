// Graph checkpoints are fenced on the drive's lease like every other write: on the embedded SQLite file and on
// PostgreSQL, with the real savers, a drive that lost its lease saves no checkpoint and no pending write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCheckpoint } from '@langchain/langgraph';
import { openSqliteStores, type Stores } from '../../src/store';
import { checkpointSaverFor, openStoresWithCheckpoints } from '../../src/runner/checkpoint-saver';
import { FencedCheckpointer } from '../../src/runner/fenced-checkpointer';
import type { Pipeline } from '../../src/pipeline/schema';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';

const pipeline: Pipeline = { format: 'storyloom/pipeline@1', id: 'tale', name: 'Tale', nodes: [], edges: [] };

async function sqlite(): Promise<{ stores: Stores; teardown(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'storyloom-fenced-checkpoints-'));
  const stores = openSqliteStores(join(dir, 'db.sqlite'));
  return { stores, teardown: async () => (await stores.close(), rmSync(dir, { recursive: true, force: true })) };
}

async function postgres(): Promise<{ stores: Stores; teardown(): Promise<void> }> {
  const database: TestDatabase = await createTestDatabase();
  const stores = await openStoresWithCheckpoints({ databaseUrl: database.url });
  return { stores, teardown: async () => (await stores.close(), await database.drop()) };
}

describe.each([
  ['SQLite', sqlite],
  ['PostgreSQL', postgres],
])('fenced checkpoints: %s', (_name, open) => {
  it('saves while the drive holds the lease, and nothing once another has taken the run', async () => {
    const { stores, teardown } = await open();
    try {
      await stores.runs.insert({ id: 'r1', pipelineId: 'tale', version: null, inputs: {}, pipeline, autoApprove: false });
      const claim = (owner: string, ttlMs: number) => stores.runs.claimLease('r1', { owner, host: 'h', pid: 1, ttlMs, holderIsGone: () => false });
      const first = await claim('first', -1); // already expired: the next claim takes it over
      expect(first).toMatchObject({ ok: true, epoch: 1 });
      const saver = checkpointSaverFor(stores);
      const fenced = new FencedCheckpointer(saver, stores, 'r1', { owner: 'first', epoch: 1 });
      const thread = { configurable: { thread_id: 'r1', checkpoint_ns: '' } };
      const saved = await fenced.put(thread, { ...emptyCheckpoint(), id: 'c1' }, { source: 'loop', step: 0, parents: {} }, {});
      await fenced.putWrites(saved, [['done', { a: 1 }]], 'task-1');
      expect((await fenced.getTuple(thread))?.checkpoint.id).toBe('c1');

      expect(await claim('second', 60_000)).toMatchObject({ ok: true, epoch: 2 });
      await expect(fenced.put(thread, { ...emptyCheckpoint(), id: 'c2' }, { source: 'loop', step: 1, parents: {} }, {})).rejects.toMatchObject({ code: 'lease_held' });
      await expect(fenced.putWrites(saved, [['done', { b: 1 }]], 'task-2')).rejects.toMatchObject({ code: 'lease_held' });
      const tuple = await saver.getTuple(thread);
      expect(tuple?.checkpoint.id).toBe('c1');
      expect(tuple?.pendingWrites?.map(([taskId]) => taskId)).toEqual(['task-1']);
      // The successor's own drive saves as usual.
      const successor = new FencedCheckpointer(saver, stores, 'r1', { owner: 'second', epoch: 2 });
      await successor.put(thread, { ...emptyCheckpoint(), id: 'c3' }, { source: 'loop', step: 1, parents: {} }, {});
      expect((await saver.getTuple(thread))?.checkpoint.id).toBe('c3');
    } finally {
      await teardown();
    }
  });
});
