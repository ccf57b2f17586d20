// Keeps a server finishing runs that lost their driver: at start it takes over everything left behind, then
// about once per lease renewal interval it looks again, so a run whose driver dies while the server is up (a
// killed CLI, a server killed and restarted at once while its old process is still a zombie, a machine that
// paused past its lease) is driven on within one scan of its lease dying, at the latest one scan after it
// expires. Which runs qualify is the engine's rule (`orphanedRunRefs`); this only schedules the scans.
// With the BullMQ queue it is also the reconciler: PostgreSQL is the truth, and a run whose job was lost
// (Redis flushed or restarted) is queued or running with no live driver, so it is found here and enqueued
// again (a run whose job still exists is not duplicated: the queue keys a run's job by its id).
import { leaseRenewMs, type Storyloom } from '@storyloom/engine/node';
import type { RunDispatcher } from './dispatch/run-dispatcher';
import { OutageLog } from './outage-log';

export interface RecoveryLoopOptions {
  /** Time between scans: the lease renewal interval (`leaseRenewMs(leaseTtlMs)`). */
  intervalMs: number;
  /**
   * A queued run (or one with a decision to apply) is taken only once it has been left alone this long (the
   * lease TTL): the process that queued or decided it may be about to drive it itself.
   */
  undrivenForMs: number;
  /** The first scan takes queued and decided runs at once (nothing else uses this database yet). */
  takeAllAtStart: boolean;
  logError: (message: string, error: unknown) => void;
}

export class RecoveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The scan under way, if any: scans never overlap, and `stop` waits for it. */
  private scanning: Promise<string[]> | undefined;
  private readonly outages: OutageLog;

  constructor(
    private readonly storyloom: Storyloom,
    private readonly scheduler: RunDispatcher,
    private readonly options: RecoveryLoopOptions,
  ) {
    this.outages = new OutageLog(options.logError);
  }

  /** Takes over the runs left behind, then scans on a timer. */
  async start(): Promise<void> {
    if (this.stopped || this.timer) return;
    await this.scan(this.options.takeAllAtStart ? 0 : this.options.undrivenForMs);
    if (this.stopped) return;
    this.timer = setInterval(() => {
      if (!this.scanning) void this.scan(this.options.undrivenForMs);
    }, this.options.intervalMs);
    this.timer.unref(); // the HTTP server keeps the process alive; this timer never should on its own
  }

  /** No scan starts after this is called; resolves once the one under way (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.scanning;
  }

  /** One look: every orphan found goes through the scheduler like any other run. Resolves to the run ids taken. */
  scan(undrivenForMs: number): Promise<string[]> {
    if (this.stopped) return Promise.resolve([]);
    if (this.scanning) return this.scanning.then(() => this.scan(undrivenForMs));
    const scanning = this.lookAndEnqueue(undrivenForMs).finally(() => {
      if (this.scanning === scanning) this.scanning = undefined;
    });
    this.scanning = scanning;
    return scanning;
  }

  private async lookAndEnqueue(undrivenForMs: number): Promise<string[]> {
    let orphans;
    try {
      orphans = await this.storyloom.orphanedRunRefs({ undrivenForMs, exclude: (runId) => this.scheduler.has(runId) });
      this.outages.succeeded();
    } catch (error) {
      this.outages.failed('looking for orphaned runs', error); // the next scan retries
      return [];
    }
    if (this.stopped) return [];
    // Driven as they are: a running run continues from its checkpoint (a cancel requested before its driver
    // died is then carried out), and if another process claims it first, the drive finds the lease held.
    // A running run whose driver died is taken over at once: its dead driver's job would only come back once
    // the queue's stall check notices it (lock duration + stall interval).
    for (const run of orphans) await this.scheduler.enqueue(run.id, run.status === 'running' ? { takeOver: run.leaseEpoch ?? 0 } : {});
    return orphans.map((run) => run.id);
  }
}

/**
 * The loop a server or worker runs over `storyloom`: a scan every lease renewal interval. `takeAllAtStart`
 * only where nothing else can be about to drive the runs it queued (an embedded SQLite file served alone).
 */
export function recoveryLoopFor(
  storyloom: Storyloom,
  dispatcher: RunDispatcher,
  leaseTtlMs: number,
  logError: (message: string, error: unknown) => void,
): RecoveryLoop {
  return new RecoveryLoop(storyloom, dispatcher, {
    intervalMs: leaseRenewMs(leaseTtlMs),
    undrivenForMs: leaseTtlMs,
    takeAllAtStart: storyloom.storeKind === 'sqlite' && dispatcher.kind === 'in-process',
    logError,
  });
}
