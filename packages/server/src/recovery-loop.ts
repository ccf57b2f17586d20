// Keeps a server finishing runs that lost their driver: at start it takes over everything left behind, then
// about once per lease renewal interval it looks again, so a run whose driver dies while the server is up (a
// killed CLI, a server killed and restarted at once while its old process is still a zombie, a machine that
// paused past its lease) is driven on within one scan of its lease dying, at the latest one scan after it
// expires. Which runs qualify is the engine's rule (`orphanedRuns`); this only schedules the scans.
import type { Storyloom } from '@storyloom/engine/node';
import type { RunScheduler } from './http/run-scheduler';

export interface RecoveryLoopOptions {
  /** Time between scans: the lease renewal interval (`leaseRenewMs(leaseTtlMs)`). */
  intervalMs: number;
  /**
   * After start, a queued run (or one with a decision to apply) is taken only once it has been left alone
   * this long (the lease TTL): the process that queued or decided it may be about to drive it itself.
   */
  undrivenForMs: number;
  logError: (message: string, error: unknown) => void;
}

export class RecoveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly storyloom: Storyloom,
    private readonly scheduler: RunScheduler,
    private readonly options: RecoveryLoopOptions,
  ) {}

  /** Takes over every run left behind (nothing else uses this database yet), then scans on a timer. */
  start(): void {
    if (this.stopped || this.timer) return;
    this.scan(0);
    this.timer = setInterval(() => this.scan(this.options.undrivenForMs), this.options.intervalMs);
    this.timer.unref(); // the HTTP server keeps the process alive; this timer never should on its own
  }

  /** No scan starts after this returns (a scan is synchronous, so none is half done). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look: every orphan found goes through the scheduler like any other run. Returns the run ids taken. */
  scan(undrivenForMs: number): string[] {
    if (this.stopped) return [];
    let orphans;
    try {
      orphans = this.storyloom.orphanedRuns({ undrivenForMs, exclude: (runId) => this.scheduler.has(runId) });
    } catch (error) {
      this.options.logError('looking for orphaned runs', error);
      return [];
    }
    // Driven as they are: a running run continues from its checkpoint (a cancel requested before its driver
    // died is then carried out), and if another process claims it first, the drive finds the lease held.
    for (const run of orphans) this.scheduler.enqueue(run.id);
    return orphans.map((run) => run.id);
  }
}
