// The graph's checkpoints saved only while this drive holds the run's lease: a driver that stalled past its lease
// and lost the run cannot save graph state over its successor's (a later resume would go on from its stale step).
// The lease is looked at before each write; the write itself is the saver's own, on its own connection.
//
// A write that lost its connection while the database restarts is run again (lease check and all) once it is
// back, within the stores' outage window: a drive then rides out a restart instead of handing its run back.
// That is safe even when the lost write had committed, because LangGraph's checkpoint writes are keyed upserts
// of the same values: `put` inserts the checkpoint by (thread, namespace, checkpoint id) and its blobs by
// (thread, namespace, channel, version), `putWrites` by (thread, namespace, checkpoint id, task, index), each
// ON CONFLICT updating to, or keeping, what the first attempt wrote.
import type { RunnableConfig } from '@langchain/core/runnables';
import { BaseCheckpointSaver } from '@langchain/langgraph';
import type { ChannelVersions, Checkpoint, CheckpointListOptions, CheckpointMetadata, PendingWrite } from '@langchain/langgraph-checkpoint';
import type { Stores } from '../store';
import { retryWhileUnreachable } from '../store/unreachable';
import { type DriveLease, leaseLostError } from './run-context';

export class FencedCheckpointer extends BaseCheckpointSaver {
  constructor(
    private readonly inner: BaseCheckpointSaver,
    private readonly stores: Stores,
    private readonly runId: string,
    private readonly lease: DriveLease,
  ) {
    super(inner.serde);
  }

  getTuple(config: RunnableConfig) {
    return this.inner.getTuple(config);
  }

  list(config: RunnableConfig, options?: CheckpointListOptions) {
    return this.inner.list(config, options);
  }

  put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return retryWhileUnreachable(async () => {
      await this.holdsLease();
      return this.inner.put(config, checkpoint, metadata, newVersions);
    });
  }

  putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    return retryWhileUnreachable(async () => {
      await this.holdsLease();
      return this.inner.putWrites(config, writes, taskId, taskPath);
    });
  }

  deleteThread(threadId: string) {
    return this.inner.deleteThread(threadId);
  }

  override getNextVersion(current: number | undefined): number {
    return this.inner.getNextVersion(current);
  }

  private async holdsLease(): Promise<void> {
    if (!(await this.stores.runs.holdsLease(this.runId, this.lease.owner, this.lease.epoch))) throw leaseLostError(this.runId);
  }
}
