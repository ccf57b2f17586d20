// Who drives a run: a lease on the run row (owner, host, pid and the holder's process start time; an expiry
// renewed while driving). A holder whose lease expired, or whose process on this host has exited (zombies
// included) or was replaced by another process with the same pid, can be displaced. Every write a driver
// makes about a run's progress first checks, in the same transaction, that it still holds the lease (a
// fence): a process that stalled past its expiry and woke after another took over writes nothing more.
import { hostname } from 'node:os';
import { StoryloomError } from '../errors';
import type { RunRecord, RunStore } from '../store/run-store';
import { processIsAlive, processStartTime } from './process-liveness';

/** How often a driving process looks for a cancel request: well under the promised ~200 ms. */
export const CANCEL_POLL_MS = 100;
/** Default lease lifetime; `StoryloomOptions.leaseTtlMs` (STORYLOOM_LEASE_TTL_MS) overrides it. */
export const LEASE_TTL_MS = 15_000;
/** Shortest lease accepted: its renewals (a fifth of it) stay well above the cancel poll. */
export const MIN_LEASE_TTL_MS = 1_000;
/** How often the default lease is renewed. */
export const LEASE_RENEW_MS = leaseRenewMs(LEASE_TTL_MS);

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

export { processIsAlive } from './process-liveness';

let ownStart: string | undefined | null = null;

/** This process's start time as recorded in the leases it takes (read once). */
export function ownProcessStart(): string | undefined {
  if (ownStart === null) ownStart = processStartTime();
  return ownStart;
}

/** A lease whose holder can no longer renew it: expired, or its process on this host has exited or been replaced. */
export function leaseIsDead(lease: NonNullable<RunRecord['lease']>, now = Date.now()): boolean {
  if (lease.expiresAt <= now) return true;
  if (lease.host !== hostname()) return false;
  // Our own pid: another engine in this process (alive), unless the holder was an earlier process with this pid.
  if (lease.pid === process.pid) return lease.started !== undefined && lease.started !== ownProcessStart();
  return !processIsAlive(lease.pid, lease.started);
}

export const thisHost = (): string => hostname();

/** The fence: throws 'lease_held' unless `ownerId` still holds the run's lease. Call inside the write transaction it guards. */
export function ensureLeaseHeld(runs: RunStore, runId: string, ownerId: string): void {
  if (runs.leaseOwner(runId) !== ownerId) {
    throw new StoryloomError('lease_held', `run '${runId}' was taken over by another process`);
  }
}

/**
 * While a run is driven: polls its cancel flag every CANCEL_POLL_MS and renews the lease every
 * leaseRenewMs(ttlMs) of wall-clock time (so the first tick after a stall renews at once), aborting `abort`
 * on a cancel request or a lost lease. Returns a stop function.
 */
export function keepLease(runs: RunStore, runId: string, ownerId: string, abort: AbortController, ttlMs = LEASE_TTL_MS): () => void {
  const renewMs = leaseRenewMs(ttlMs);
  let renewedAt = Date.now();
  const timer = setInterval(() => {
    if (runs.isCancelRequested(runId)) abort.abort(new StoryloomError('cancelled', 'run cancelled'));
    if (Date.now() - renewedAt < renewMs) return;
    // Lost the lease (this process stalled past its expiry and another took over): stop, do not race it.
    if (!runs.renewLease(runId, ownerId, ttlMs)) {
      abort.abort(new StoryloomError('lease_held', `run '${runId}' was taken over by another process`));
      return;
    }
    renewedAt = Date.now();
  }, CANCEL_POLL_MS);
  return () => clearInterval(timer);
}
