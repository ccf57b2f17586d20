// Which runs need a driver and have none. One rule for every mode: a server on its own SQLite file scans
// with it on a timer, and a reconciler over a shared database can apply the same function to its rows.
// Taking a run over stays safe when the rule is wrong in the hopeful direction: the lease claim decides
// who drives, and a holder that is still alive keeps the run.
import type { RunDriveState } from '../store';
import type { OrphanScanOptions } from './engine';
import { leaseIsDead } from './lease';

/**
 * Whether `run` needs a new driver now: nobody holds a live lease on it, and it is `running` (its driver
 * died or stalled past its lease) or, with `undrivenForMs`, it was left queued or with a decision to apply.
 * `hasDecisionToApply` (a store read) is asked only for waiting runs left alone long enough.
 */
export async function needsNewDriver(
  run: RunDriveState,
  hasDecisionToApply: () => boolean | Promise<boolean>,
  options: OrphanScanOptions = {},
  now = Date.now(),
): Promise<boolean> {
  if (run.lease !== undefined && !leaseIsDead(run.lease, now)) return false;
  if (run.status === 'running') return true;
  if (options.undrivenForMs === undefined || now - Date.parse(run.updatedAt) < options.undrivenForMs) return false;
  if (run.status === 'queued') return true;
  return run.status === 'waiting' && hasDecisionToApply();
}
