// `storyloom migrate`: a team's users, audit list, pipelines, versions and run history (runs, events, outputs, approvals, model
// calls, attempts) copied from one database to another (the SQLite file to PostgreSQL when it outgrows one
// machine, or back), with the LangGraph checkpoints of every run that can still go on, through the savers of
// both sides (their tables differ), so a waiting or interrupted run continues on the new database.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { PendingWrite } from '@langchain/langgraph-checkpoint';
import { StoryloomError } from '../errors';
import type { PgStores, SqliteStores, StoreLocation, Stores } from '../store';
import { checkBatchSize, copyTables, postgresTables, sqliteTables, type CopyOptions, type TableAccess } from '../store/copy-tables';
import { checkpointSaverFor, openStoresWithCheckpoints } from './checkpoint-saver';

export interface MigrateResult {
  /** Rows copied per table. */
  rows: Record<string, number>;
  /** Checkpoints copied (those of runs not completed: a completed run keeps none). */
  checkpoints: number;
}

export type MigrateOptions = CopyOptions;

function tablesOf(stores: Stores): TableAccess {
  return stores.kind === 'postgres' ? postgresTables((stores as PgStores).pool) : sqliteTables(stores as SqliteStores);
}

/**
 * Copies everything from `from` into `to`; `to` must hold no pipelines and no runs (StoryloomError 'conflict'
 * otherwise, and nothing is written). Checkpoints go first, then the tables in batches in one transaction: the
 * target holds pipelines and runs (and so looks migrated, and refuses another copy) only once all of it has
 * landed. A copy that fails takes back the checkpoints it wrote, so the target is left as it was.
 */
export async function migrateDatabase(from: StoreLocation, to: StoreLocation, options: MigrateOptions = {}): Promise<MigrateResult> {
  if (options.batchSize !== undefined) checkBatchSize(options.batchSize);
  const source = await openStoresWithCheckpoints(from);
  let target: Stores | undefined;
  try {
    target = await openStoresWithCheckpoints(to);
    const targetTables = tablesOf(target);
    for (const table of ['pipelines', 'runs']) {
      const count = await targetTables.count(table);
      if (count > 0) throw new StoryloomError('conflict', `the target database already holds ${count} ${table}; migrate copies into an empty database only`);
    }
    const unfinished = (await source.runs.driveStates(['queued', 'running', 'waiting', 'failed', 'cancelled'])).map((run) => run.id);
    const targetSaver = checkpointSaverFor(target);
    try {
      const checkpoints = await copyCheckpoints(checkpointSaverFor(source), targetSaver, unfinished);
      const rows = await copyTables(tablesOf(source), targetTables, options);
      return { rows, checkpoints };
    } catch (error) {
      // The target held no runs, so these threads' checkpoints are all this copy's own.
      for (const threadId of unfinished) await targetSaver.deleteThread(threadId).catch(() => undefined);
      throw error;
    }
  } finally {
    await target?.close();
    await source.close();
  }
}

/** Every checkpoint of each thread, oldest first, each with its parent link and its pending writes. */
async function copyCheckpoints(from: BaseCheckpointSaver, to: BaseCheckpointSaver, threadIds: readonly string[]): Promise<number> {
  let copied = 0;
  for (const threadId of threadIds) {
    const tuples = [];
    for await (const tuple of from.list({ configurable: { thread_id: threadId } })) tuples.push(tuple);
    for (const tuple of tuples.reverse()) {
      const namespace = (tuple.config.configurable?.checkpoint_ns as string | undefined) ?? '';
      const parentId = tuple.parentConfig?.configurable?.checkpoint_id as string | undefined;
      const saved = await to.put(
        { configurable: { thread_id: threadId, checkpoint_ns: namespace, ...(parentId ? { checkpoint_id: parentId } : {}) } },
        tuple.checkpoint,
        tuple.metadata ?? { source: 'update', step: -1, parents: {} },
        tuple.checkpoint.channel_versions,
      );
      const byTask = new Map<string, PendingWrite[]>();
      for (const [taskId, channel, value] of tuple.pendingWrites ?? []) byTask.set(taskId, [...(byTask.get(taskId) ?? []), [channel, value]]);
      for (const [taskId, writes] of byTask) await to.putWrites(saved, writes, taskId);
      copied += 1;
    }
  }
  return copied;
}
