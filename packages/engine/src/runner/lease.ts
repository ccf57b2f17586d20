// Who drives a run: a lease on the run row (owner host:pid, expiry renewed while driving). A holder whose
// process is gone (same host, pid dead) or whose lease expired can be displaced.
import { hostname } from 'node:os';
import { StoryloomError } from '../errors';
import type { RunLease, Stores } from '../store';

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
export function leaseIsDead(lease: RunLease, now = Date.now()): boolean {
  if (lease.expiresAt <= now) return true;
  return lease.host === hostname() && lease.pid !== process.pid && !processIsAlive(lease.pid);
}

export const thisHost = (): string => hostname();

/** With PostgreSQL a cancel request is also announced at once; the flag is then only looked at as a fallback. */
const NOTIFIED_CANCEL_POLL_MS = 1_000;

/**
 * While a run is driven: watches its cancel flag and renews the lease every LEASE_RENEW_MS, aborting `abort`
 * on a cancel request or a lost lease (renewal is fenced on the epoch this drive took). Returns a stop function.
 */
export function keepLease(stores: Stores, runId: string, lease: { owner: string; epoch: number }, abort: AbortController, ttlMs = LEASE_TTL_MS): () => void {
  const cancelled = () => abort.abort(new StoryloomError('cancelled', 'run cancelled'));
  const checkCancel = () =>
    stores.runs.isCancelRequested(runId).then(
      (requested) => requested && cancelled(),
      () => undefined, // the database is unreachable for a moment: the next tick looks again
    );
  const stopListening = stores.onCancel((id) => (id === runId || id === undefined) && void checkCancel());
  const pollMs = stores.kind === 'postgres' ? NOTIFIED_CANCEL_POLL_MS : CANCEL_POLL_MS;
  const cancelTimer = setInterval(checkCancel, pollMs);
  let lastRenewed = Date.now();
  const renewTimer = setInterval(() => {
    stores.runs.renewLease(runId, lease.owner, ttlMs, lease.epoch).then(
      (renewed) => {
        if (renewed) lastRenewed = Date.now();
        // Lost the lease (this process stalled past its expiry and another took over): stop, do not race it.
        else abort.abort(new StoryloomError('lease_held', `run '${runId}' was taken over by another process`));
      },
      () => {
        // Unreachable database: keep trying while the lease may still be ours; past its expiry, stop.
        if (Date.now() - lastRenewed > ttlMs) abort.abort(new StoryloomError('lease_held', `run '${runId}': lease lost while the database was unreachable`));
      },
    );
  }, Math.min(LEASE_RENEW_MS, ttlMs / 3));
  return () => {
    clearInterval(cancelTimer);
    clearInterval(renewTimer);
    stopListening();
  };
}
