// Advancing a run in the background, as every unattended driver does (a server's own scheduler, a queue
// worker): drive it until it waits for a person or ends, and leave it to whichever live process drives it.
import { isStoryloomError } from '../errors';
import type { Storyloom } from './engine';

/**
 * Drives `runId` until it waits for a person or ends (or `signal` stops it at its checkpoint). A run resumed
 * while a drive was settling is queued again, so it is driven once more. Another live process holding the
 * run's lease drives it (if that one dies, its lease dies and recovery takes the run over), and a run that no
 * longer exists needs nothing: both end quietly. Anything else (the database unreachable) is thrown.
 */
export async function advanceRun(storyloom: Storyloom, runId: string, signal: AbortSignal): Promise<void> {
  try {
    for (;;) {
      const view = await storyloom.drive(runId, { signal });
      if (signal.aborted || view.status !== 'queued') return;
    }
  } catch (error) {
    if (isStoryloomError(error, 'lease_held') || isStoryloomError(error, 'not_found')) return;
    throw error;
  }
}
