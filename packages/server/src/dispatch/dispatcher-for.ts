// The one place a server chooses how the runs it starts are driven: the shared BullMQ queue when
// STORYLOOM_REDIS_URL is set (`storyloom worker` processes drive them), else its own in-process scheduler.
import type { Storyloom } from '@storyloom/engine/node';
import { QueueDispatcher } from './queue-dispatcher';
import type { QueueSettings } from './queue-settings';
import type { RunDispatcher } from './run-dispatcher';
import { RunScheduler } from './run-scheduler';

export interface DispatcherChoice {
  /** Runs driven at once by the in-process scheduler. */
  concurrency: number;
  logError: (message: string, error: unknown) => void;
  /** From STORYLOOM_REDIS_URL; absent: runs are driven in this process. */
  queue?: QueueSettings;
}

export function dispatcherFor(storyloom: Storyloom, { concurrency, logError, queue }: DispatcherChoice): RunDispatcher {
  if (queue) return new QueueDispatcher(queue, logError);
  return new RunScheduler(storyloom, { concurrency, onError: (runId, error) => logError(`run ${runId}`, error) });
}
