// Transactions on one SQLite connection asked for in the same turn of the event loop commit together. A
// 16-way fan-out's branches each record their start, their model reply and their output as their answers
// arrive; alone, every one of those transactions pays for taking the write lock, checking the run's lease,
// committing and appending to the WAL. Grouped, they share one BEGIN and one COMMIT, and each keeps its own
// outcome: it runs inside a savepoint, so one that throws is undone alone while the others commit.
// A transaction's promise settles only after the COMMIT that made it durable (or failed): what a caller
// sees as done is on disk, as before.
import type { SqliteDatabase } from './database';

interface Member {
  fn: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `fn` while no other transaction of this process is open on the connection (see TransactionGate). */
export type Exclusive = <T>(fn: () => Promise<T>) => Promise<T>;

export class GroupCommit {
  private queue: Member[] = [];

  constructor(
    private readonly db: SqliteDatabase,
    private readonly exclusive: Exclusive,
  ) {}

  /** Runs `fn` in a write transaction shared with the others asked for in this turn; settles once committed. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      // The first one in waits for the rest of this turn (setImmediate runs after the I/O callbacks that
      // delivered the other branches' answers); the ones arriving meanwhile join it.
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private flush(): Promise<void> {
    return this.exclusive(async () => {
      const members = this.queue;
      this.queue = [];
      if (members.length === 1) await this.runAlone(members[0]);
      else if (members.length > 1) await this.runGrouped(members);
    });
  }

  /** One transaction on its own: no savepoint to pay for. */
  private async runAlone(member: Member): Promise<void> {
    let begun = false;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      begun = true;
      const value = await member.fn();
      this.db.exec('COMMIT');
      member.resolve(value);
    } catch (error) {
      if (begun && this.db.inTransaction) this.db.exec('ROLLBACK');
      member.reject(error);
    }
  }

  private async runGrouped(members: Member[]): Promise<void> {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const member of members) member.reject(error); // the lock could not be had (busy): nothing ran
      return;
    }
    const outcomes: Outcome[] = [];
    for (const [index, member] of members.entries()) {
      this.db.exec('SAVEPOINT grouped_member');
      try {
        outcomes.push({ ok: true, value: await member.fn() });
        this.db.exec('RELEASE grouped_member');
      } catch (error) {
        if (this.db.inTransaction) {
          this.db.exec('ROLLBACK TO grouped_member');
          this.db.exec('RELEASE grouped_member');
          outcomes.push({ ok: false, error });
          continue;
        }
        // SQLite undid the whole transaction itself (disk full, I/O error): the members that ran lost their
        // writes with it and fail; the ones not yet run go first into the next group.
        for (const done of members.slice(0, index + 1)) done.reject(error);
        this.requeue(members.slice(index + 1));
        return;
      }
    }
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const member of members) member.reject(error);
      return;
    }
    members.forEach((member, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) member.resolve(outcome.value);
      else member.reject(outcome.error);
    });
  }

  private requeue(members: Member[]): void {
    if (members.length === 0) return;
    const wasEmpty = this.queue.length === 0;
    this.queue = [...members, ...this.queue];
    if (wasEmpty) setImmediate(() => void this.flush());
  }
}
