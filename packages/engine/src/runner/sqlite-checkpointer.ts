// LangGraph's SqliteSaver on the store's own connection, with each of its calls taking the database file's
// gate: a checkpoint write then never lands inside (or waits synchronously behind) an open transaction.
import type { RunnableConfig } from '@langchain/core/runnables';
import type { Checkpoint, CheckpointMetadata, PendingWrite } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { SqliteStores } from '../store';

export class GatedSqliteSaver extends SqliteSaver {
  constructor(private readonly stores: SqliteStores) {
    super(stores.db);
  }

  override getTuple(config: RunnableConfig) {
    return this.stores.exclusive(() => super.getTuple(config));
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata) {
    return this.stores.exclusive(() => super.put(config, checkpoint, metadata));
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string) {
    return this.stores.exclusive(() => super.putWrites(config, writes, taskId));
  }

  override deleteThread(threadId: string) {
    return this.stores.exclusive(() => super.deleteThread(threadId));
  }
}
