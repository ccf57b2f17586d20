// Graceful stop for long-running commands (`serve`, `worker`).
import { EXIT } from './errors';

/**
 * Resolves on the first SIGINT/SIGTERM. The listeners stay installed until the process exits: removing them
 * while the command is still closing would leave a window in which a late signal kills the process outright
 * (exit by signal instead of 0). A second signal means "stop now".
 */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) {
        process.stderr.write('Stopping at once.\n');
        process.exit(EXIT.failed);
      }
      stopping = true;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
