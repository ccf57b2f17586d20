// Where a server hands the runs it accepts: its own in-process scheduler (the embedded default), or the shared
// BullMQ queue that `storyloom worker` processes drive (with STORYLOOM_REDIS_URL). Routes, the recovery loop,
// health and metrics only see this interface.

/** Jobs by state: waiting for a driver, being driven, and waiting to be retried. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
}

export interface DispatchHealth {
  ok: boolean;
  kind: 'in-process' | 'bullmq';
  error?: string;
}

export interface EnqueueOptions {
  continuation?: boolean;
  takeOver?: number;
}

export interface RunDispatcher {
  readonly kind: DispatchHealth['kind'];
  /**
   * Asks for the run to be driven. `continuation`: the run was driven before and may be being driven right
   * now (a decision or a resume): it must be driven again after that drive, not merged into it. `takeOver`: the
   * run's driver died holding the lease of this epoch; a new driver is wanted now, once per dead lease.
   */
  enqueue(runId: string, options?: EnqueueOptions): void | Promise<void>;
  /** Whether the run is known to be queued or driven by this dispatcher (the recovery scan leaves it alone). */
  has(runId: string): boolean;
  /** Forgets a run that has not started yet (it was cancelled). */
  dequeue(runId: string): boolean | Promise<void>;
  /** Runs waiting for a driver, as last seen (admission control reads it on every request: never a round trip). */
  queuedCount(): number;
  depth(): Promise<QueueDepth>;
  health(): Promise<DispatchHealth>;
  /** Stops dispatching; an in-process scheduler also aborts its drives at their checkpoints. */
  stop(): Promise<void>;
}
