// The background loops (the webhook sender, the orphan scan) fail on every pass while the database is out of
// reach, and a restart takes a few seconds to minutes: a line per pass would bury everything else in the log.
// An outage is said once, on its first failed pass, and again only after a pass has succeeded; any other error
// is said every time it happens.
import { isDatabaseUnreachable } from '@storyloom/engine/node';

export type LogError = (message: string, error: unknown) => void;

export class OutageLog {
  private down = false;

  constructor(private readonly logError: LogError) {}

  /** A pass failed doing `what`. */
  failed(what: string, error: unknown): void {
    if (!isDatabaseUnreachable(error)) {
      this.logError(what, error);
      return;
    }
    if (this.down) return;
    this.down = true;
    this.logError(`${what} (the database is unreachable; not said again until it answers)`, error);
  }

  /** A pass went through: the next outage is said again. */
  succeeded(): void {
    this.down = false;
  }
}
