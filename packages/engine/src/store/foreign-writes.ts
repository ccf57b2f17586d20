// Notices commits made to the database by other connections (another process: a CLI deciding an approval,
// a second server), so that event subscribers can look for new events only when there may be some.
// SQLite's `PRAGMA data_version` changes exactly when another connection has committed since the last
// look, so one cheap read per tick replaces one event query per subscriber per tick.
import type { SqliteDatabase } from './database';

export class ForeignWriteWatcher {
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private lastVersion: number | undefined;
  /** Set when a listener was added: the next tick calls everyone once, whatever the version says. */
  private catchUp = false;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly intervalMs: number,
  ) {}

  /** Calls `listener` after each tick on which another connection had committed; returns a stop function. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    this.catchUp = true;
    if (!this.timer) {
      this.lastVersion = this.version();
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (!this.db.open) return this.stop();
    const version = this.version();
    if (version === this.lastVersion && !this.catchUp) return;
    this.lastVersion = version;
    this.catchUp = false;
    for (const listener of [...this.listeners]) listener();
  }

  private version(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}
