// Dispatch through BullMQ: a server with STORYLOOM_REDIS_URL only enqueues; `storyloom worker` processes drive.
// One job means "advance run R until it waits or ends". A run's first job has the run id as its job id, so
// enqueueing it again (a retry, the reconciler finding it once more) is a no-op while it is queued or driven;
// a continuation (a decision, a resume) gets an id of its own, so it is never merged into a drive that may
// already have looked for decisions, and so does a take-over of a run whose driver died (one per dead lease). PostgreSQL stays the truth: a job lost with Redis is enqueued again by
// the reconciler (RecoveryLoop) from the runs' rows.
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import type { DispatchHealth, EnqueueOptions, QueueDepth, RunDispatcher } from './run-dispatcher';
import { connectionOf, type QueueSettings, RUN_QUEUE_NAME } from './queue-settings';

export interface RunJobData {
  runId: string;
}

/** Finished jobs are dropped (the run's row holds the outcome); a drive that threw (the database was unreachable) is tried again. */
export const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: 'fixed', delay: 1_000 } } as const;
/** How often the cached depth (admission control, metrics) is refreshed. */
const DEPTH_REFRESH_MS = 1_000;
/** Redis commands wait for a reconnect; a request handler waits this long at most. */
const REDIS_WAIT_MS = 2_000;

function withinTime<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer ${what} within ${REDIS_WAIT_MS} ms`)), REDIS_WAIT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function runQueue(settings: QueueSettings): Queue<RunJobData> {
  return new Queue<RunJobData>(RUN_QUEUE_NAME, { connection: connectionOf(settings), prefix: settings.prefix });
}

/** A job id for a continuation of `runId`: unique, and still naming the run. */
export function continuationJobId(runId: string): string {
  return `${runId}.${randomBytes(4).toString('hex')}`;
}

export class QueueDispatcher implements RunDispatcher {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue<RunJobData>;
  private lastDepth: QueueDepth = { waiting: 0, active: 0, delayed: 0 };
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    settings: QueueSettings,
    private readonly logError: (message: string, error: unknown) => void,
  ) {
    this.queue = runQueue(settings);
    // A Redis outage is reported by health and the next enqueue; the client reconnects by itself.
    this.queue.on('error', () => undefined);
    this.timer = setInterval(() => void this.depth().catch(() => undefined), DEPTH_REFRESH_MS);
    this.timer.unref();
  }

  /**
   * Never throws: the run is already stored, so if Redis cannot be reached now the reconciler enqueues it
   * once Redis is back.
   */
  async enqueue(runId: string, options: EnqueueOptions = {}): Promise<void> {
    if (this.stopped) return;
    // A take-over is keyed by the dead lease's epoch: scans that find the same dead lease add it once.
    const jobId = options.continuation ? continuationJobId(runId) : options.takeOver !== undefined ? `${runId}.t${options.takeOver}` : runId;
    try {
      await withinTime(this.queue.add('drive', { runId }, { ...JOB_OPTIONS, jobId }), 'an enqueue');
    } catch (error) {
      this.logError(`enqueueing run ${runId} (the reconciler will enqueue it again)`, error);
    }
  }

  has(): boolean {
    return false; // the queue itself drops duplicates; a lookup per scanned run would cost a round trip each
  }

  async dequeue(runId: string): Promise<void> {
    // Only a waiting job can go; one being driven hears the cancel through the database.
    await this.queue.remove(runId).catch(() => undefined);
  }

  queuedCount(): number {
    return this.lastDepth.waiting + this.lastDepth.delayed;
  }

  async depth(): Promise<QueueDepth> {
    const counts = await withinTime(this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed'), 'a count');
    this.lastDepth = { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
    return this.lastDepth;
  }

  async health(): Promise<DispatchHealth> {
    try {
      await withinTime(
        this.queue.getBackend().client.then((client) => client.runCommand('ping', [])),
        'a ping',
      );
      return { ok: true, kind: this.kind };
    } catch (error) {
      return { ok: false, kind: this.kind, error: (error as Error).message };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.queue.close();
  }
}
