// Drives runs inside the server process, a bounded number at a time: the dispatcher of the embedded default.
import { advanceRun, type Storyloom } from '@storyloom/engine/node';
import type { DispatchHealth, QueueDepth, RunDispatcher } from './run-dispatcher';

export interface RunSchedulerOptions {
  /** Runs executing at the same time; the rest wait (as `queued`) in FIFO order. */
  concurrency: number;
  onError?: (runId: string, error: unknown) => void;
}

interface ActiveDrive {
  controller: AbortController;
  /** Set when the run was enqueued again while being driven (e.g. a decision arrived): drive once more after. */
  again: boolean;
  done: Promise<void>;
}

/**
 * Drives runs in this process, a bounded number at a time. Enqueueing a run that is already queued is a no-op;
 * enqueueing one that is being driven drives it again afterwards (through the queue), so a decision made while
 * other branches were still running is picked up.
 */
export class RunScheduler implements RunDispatcher {
  readonly kind = 'in-process' as const;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Map<string, ActiveDrive>();
  private stopping = false;

  constructor(
    private readonly storyloom: Storyloom,
    private readonly options: RunSchedulerOptions,
  ) {}

  enqueue(runId: string): void {
    if (this.stopping) return;
    const drive = this.active.get(runId);
    if (drive) {
      drive.again = true;
      return;
    }
    if (this.queued.has(runId)) return;
    this.queue.push(runId);
    this.queued.add(runId);
    this.pump();
  }

  /** Whether the run is queued or being driven here. */
  has(runId: string): boolean {
    return this.queued.has(runId) || this.active.has(runId);
  }

  /** Forgets a run that has not started yet (it was cancelled). */
  dequeue(runId: string): boolean {
    if (!this.queued.delete(runId)) return false;
    this.queue.splice(this.queue.indexOf(runId), 1);
    return true;
  }

  get size(): { active: number; queued: number } {
    return { active: this.active.size, queued: this.queue.length };
  }

  queuedCount(): number {
    return this.queue.length;
  }

  depth(): Promise<QueueDepth> {
    return Promise.resolve({ waiting: this.queue.length, active: this.active.size, delayed: 0 });
  }

  health(): Promise<DispatchHealth> {
    return Promise.resolve({ ok: !this.stopping, kind: this.kind });
  }

  /** Resolves when nothing is queued or running (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.active.size > 0 || this.queue.length > 0) {
      await Promise.all([...this.active.values()].map((drive) => drive.done));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Stops taking work and aborts the runs being driven: the engine stops their model calls and leaves them
   * resumable from their last checkpoint. Resolves once every drive has returned.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    this.queued.clear();
    const drives = [...this.active.values()];
    for (const drive of drives) drive.controller.abort(new Error('server shutting down'));
    await Promise.all(drives.map((drive) => drive.done));
  }

  private pump(): void {
    while (!this.stopping && this.active.size < this.options.concurrency && this.queue.length > 0) {
      const runId = this.queue.shift() as string;
      this.queued.delete(runId);
      this.start(runId);
    }
  }

  private start(runId: string): void {
    const drive: ActiveDrive = { controller: new AbortController(), again: false, done: Promise.resolve() };
    this.active.set(runId, drive);
    drive.done = (async () => {
      try {
        await advanceRun(this.storyloom, runId, drive.controller.signal);
      } catch (error) {
        this.options.onError?.(runId, error);
      } finally {
        this.active.delete(runId);
        if (drive.again) this.enqueue(runId);
        this.pump();
      }
    })();
  }
}
