// Who drives a run: a lease on the run row (owner, host, pid and the holder's process start time; an expiry
// renewed while driving). A holder whose lease expired, or whose process on this host has exited (zombies
// included) or was replaced by another process with the same pid, can be displaced. Every write a driver
// makes first checks, in the same transaction, that it still holds the lease at the epoch it took (a fence:
// the epoch grows each time the lease changes hands), so a process that stalled past its expiry and woke
// after another took over writes nothing more.
import { hostname } from 'node:os';
import { StoryloomError } from '../errors';
import type { RunLease, Stores } from '../store';
import { processIsAlive, processStartTime } from './process-liveness';

/** How often a driving process looks for a cancel request: well under the promised ~200 ms. */
export const CANCEL_POLL_MS = 100;
/** Default lease lifetime; `StoryloomOptions.leaseTtlMs` (STORYLOOM_LEASE_TTL_MS) overrides it. */
export const LEASE_TTL_MS = 15_000;
/** Shortest lease accepted: its renewals (a fifth of it) stay well above the cancel poll. */
export const MIN_LEASE_TTL_MS = 1_000;

/**
 * A lease is renewed five times per lifetime, so a holder survives a few slow renewals. This is also how
 * often a server looks for orphaned runs: a dead holder is noticed within one interval, an expired lease
 * within one interval of its expiry.
 */
export function leaseRenewMs(ttlMs: number): number {
  return Math.max(CANCEL_POLL_MS, Math.round(ttlMs / 5));
}

/** `ttlMs` if it is a usable lease lifetime; StoryloomError('invalid_input') naming `name` otherwise. */
export function checkedLeaseTtl(ttlMs: number, name: string, given: string = String(ttlMs)): number {
  if (!Number.isInteger(ttlMs) || ttlMs < MIN_LEASE_TTL_MS) {
    throw new StoryloomError('invalid_input', `${name} must be a whole number of milliseconds, at least ${MIN_LEASE_TTL_MS}; got ${given}`);
  }
  return ttlMs;
}

/** STORYLOOM_LEASE_TTL_MS (milliseconds, at least MIN_LEASE_TTL_MS), else the default. */
export function leaseTtlFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.STORYLOOM_LEASE_TTL_MS?.trim();
  return text ? checkedLeaseTtl(Number(text), 'STORYLOOM_LEASE_TTL_MS', `"${text}"`) : LEASE_TTL_MS;
}

let instances = 0;

/** `host:pid` for the first engine of a process, `host:pid#n` for further ones (tests open several). */
export function defaultOwnerId(): string {
  instances += 1;
  const base = `${hostname()}:${process.pid}`;
  return instances === 1 ? base : `${base}#${instances}`;
}

let ownStart: string | undefined | null = null;

/** This process's start time as recorded in the leases it takes (read once). */
export function ownProcessStart(): string | undefined {
  if (ownStart === null) ownStart = processStartTime();
  return ownStart;
}

/** A lease whose holder can no longer renew it: expired, or its process on this host has exited or been replaced. */
export function leaseIsDead(lease: RunLease, now = Date.now()): boolean {
  if (lease.expiresAt <= now) return true;
  if (lease.host !== hostname()) return false;
  // Our own pid: another engine in this process (alive), unless the holder was an earlier process with this pid.
  if (lease.pid === process.pid) return lease.started !== undefined && lease.started !== ownProcessStart();
  return !processIsAlive(lease.pid, lease.started);
}

export const thisHost = (): string => hostname();

/** With PostgreSQL a cancel request is also announced at once; the flag is then only looked at as a fallback. */
const NOTIFIED_CANCEL_POLL_MS = 1_000;

/**
 * While a run is driven: watches its cancel flag and renews the lease every leaseRenewMs(ttlMs), aborting `abort`
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
  }, leaseRenewMs(ttlMs));
  return () => {
    clearInterval(cancelTimer);
    clearInterval(renewTimer);
    stopListening();
  };
}
