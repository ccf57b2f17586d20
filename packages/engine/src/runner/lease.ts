// Who drives a run: a lease on the run row (owner host:pid, expiry renewed while driving). A holder whose
// process is gone (same host, pid dead) or whose lease expired can be displaced.
import { hostname } from 'node:os';
import { StoryloomError } from '../errors';
import type { RunRecord, RunStore } from '../store/run-store';

export const LEASE_TTL_MS = 15_000;
export const LEASE_RENEW_MS = 3_000;
/** How often a driving process looks for a cancel request: well under the promised ~200 ms. */
export const CANCEL_POLL_MS = 100;

let instances = 0;

/** `host:pid` for the first engine of a process, `host:pid#n` for further ones (tests open several). */
export function defaultOwnerId(): string {
  instances += 1;
  const base = `${hostname()}:${process.pid}`;
  return instances === 1 ? base : `${base}#${instances}`;
}

export function processIsAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lease whose holder can no longer renew it: expired, or its process died on this host. */
export function leaseIsDead(lease: NonNullable<RunRecord['lease']>, now = Date.now()): boolean {
  if (lease.expiresAt <= now) return true;
  return lease.host === hostname() && lease.pid !== process.pid && !processIsAlive(lease.pid);
}

export const thisHost = (): string => hostname();

/**
 * While a run is driven: polls its cancel flag every CANCEL_POLL_MS and renews the lease every
 * LEASE_RENEW_MS, aborting `abort` on a cancel request or a lost lease. Returns a stop function.
 */
export function keepLease(runs: RunStore, runId: string, ownerId: string, abort: AbortController): () => void {
  let sinceRenew = 0;
  const timer = setInterval(() => {
    if (runs.isCancelRequested(runId)) abort.abort(new StoryloomError('cancelled', 'run cancelled'));
    sinceRenew += CANCEL_POLL_MS;
    if (sinceRenew < LEASE_RENEW_MS) return;
    sinceRenew = 0;
    // Lost the lease (this process stalled past its expiry and another took over): stop, do not race it.
    if (!runs.renewLease(runId, ownerId, LEASE_TTL_MS)) {
      abort.abort(new StoryloomError('lease_held', `run '${runId}' was taken over by another process`));
    }
  }, CANCEL_POLL_MS);
  return () => clearInterval(timer);
}
