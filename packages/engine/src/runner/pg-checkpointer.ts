// LangGraph's PostgresSaver riding out a database restart: its reads, and deleting a finished run's thread, are
// run again while the database is unreachable (within the stores' outage window). Its writes are retried one
// level up, in FencedCheckpointer, where every attempt first checks that this drive still holds the run.
import type { RunnableConfig } from '@langchain/core/runnables';
import type { CheckpointListOptions, CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { retryWhileUnreachable } from '../store/unreachable';

export class OutageTolerantPostgresSaver extends PostgresSaver {
  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return retryWhileUnreachable(() => super.getTuple(config));
  }

  /** Every statement of `list` runs before its first checkpoint is yielded: only that part is run again. */
  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const { checkpoints, first } = await retryWhileUnreachable(async () => {
      const started = super.list(config, options);
      return { checkpoints: started, first: await started.next() };
    });
    if (first.done) return;
    yield first.value;
    yield* checkpoints;
  }

  /** Deletes by thread id: deleting again what is already gone changes nothing. */
  override deleteThread(threadId: string): Promise<void> {
    return retryWhileUnreachable(() => super.deleteThread(threadId));
  }
}
