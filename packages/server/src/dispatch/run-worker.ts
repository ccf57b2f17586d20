// A `storyloom worker` process's share of the queue: up to `concurrency` runs driven at once, each job advancing
// one run until it waits for a person or ends. A run another live process drives is left to it; a stopping
// worker gives its drives a grace period to finish, then stops them at their last checkpoint and hands each
// run back to the queue for another worker.
import { advanceRun, type Storyloom } from '@storyloom/engine/node';
import { type Job, type Queue, Worker } from 'bullmq';
import { continuationJobId, JOB_OPTIONS, type RunJobData, runQueue } from './queue-dispatcher';
import { connectionOf, type QueueSettings, RUN_QUEUE_NAME } from './queue-settings';

export interface RunWorkerOptions {
  settings: QueueSettings;
  /** Runs driven at the same time by this process. */
  concurrency: number;
  logError: (message: string, error: unknown) => void;
}

/**
 * A job that stalls (its worker died) goes back to the queue however often it happens: the run's own lease
 * and checkpoints make driving it again safe, so BullMQ's default of failing it after one stall would only
 * leave the reconciler to notice later.
 */
const MAX_STALLED = 1_000;

export class RunWorker {
  private readonly worker: Worker<RunJobData>;
  private readonly queue: Queue<RunJobData>;
  private readonly drives = new Map<string, AbortController>();
  private stopping = false;

  constructor(
    private readonly storyloom: Storyloom,
    private readonly options: RunWorkerOptions,
  ) {
    const { settings } = options;
    this.queue = runQueue(settings);
    this.queue.on('error', () => undefined);
    this.worker = new Worker<RunJobData>(RUN_QUEUE_NAME, (job) => this.process(job), {
      connection: connectionOf(settings),
      prefix: settings.prefix,
      concurrency: options.concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.stallMs,
      maxStalledCount: MAX_STALLED,
    });
    // Lost connections and locks lost with a flushed Redis are reported here; the run's lease and the
    // reconciler keep the runs themselves safe.
    this.worker.on('error', (error) => options.logError('queue', error));
  }

  /** Runs being driven now. */
  get active(): number {
    return this.drives.size;
  }

  /** Resolves once the worker is connected and taking jobs. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /**
   * Stops taking jobs; drives under way get `graceMs` to reach a gate or the end, then are stopped at their
   * last checkpoint and handed back to the queue.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const closing = this.worker.close();
    const timer = setTimeout(() => {
      for (const controller of this.drives.values()) controller.abort(new Error('worker shutting down'));
    }, graceMs);
    try {
      await closing;
    } finally {
      clearTimeout(timer);
      await this.queue.close();
    }
  }

  private async process(job: Job<RunJobData>): Promise<void> {
    const { runId } = job.data;
    const controller = new AbortController();
    const key = job.id ?? runId;
    this.drives.set(key, controller);
    try {
      // The job is done once the run waits or ends, or another live process drives it (the reconciler
      // enqueues it again if that one dies). A database error fails the job, which BullMQ retries.
      await advanceRun(this.storyloom, runId, controller.signal);
    } finally {
      this.drives.delete(key);
    }
    if (controller.signal.aborted && this.stopping) {
      // Stopped at its checkpoint by this worker's shutdown: another worker continues it.
      await this.queue.add('drive', { runId }, { ...JOB_OPTIONS, jobId: continuationJobId(runId) });
    }
  }
}
