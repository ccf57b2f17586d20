// Each run's ordered event log. `seq` is assigned inside a write transaction (IMMEDIATE: the write lock is
// taken first), so concurrent writers in several processes never produce gaps or duplicates.
// `node.completed` stores its output by reference (the attempt) and expands it on read.
import type { Actor } from '../contract/actor';
import type { RunEvent, RunEventType } from '../runner/types';
import type { NewEvent } from './contract';
import { nowIso, writeTransaction, type SqliteDatabase, statement } from './database';
import type { OutputStore } from './output-store';
import { eventFromRow, type EventRow } from './event-row';
import { jsonOrNull } from './run-store';

export type { NewEvent } from './contract';

export class EventStore {
  private readonly listeners = new Set<(runId: string) => void>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly outputs: OutputStore,
  ) {}

  append(runId: string, event: NewEvent): number {
    const write = () => {
      // The write lock is held, so MAX + 1 is atomic across processes. (Not a counter on the run row:
      // that row carries the pipeline snapshot, and rewriting it for every event would be costly.)
      const row = statement(this.db, 'SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM run_events WHERE run_id = ?').get(runId) as { next: number };
      const at = nowIso();
      statement(this.db, 'INSERT INTO run_events (run_id, seq, type, node_id, at, data, output_attempt, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        runId,
        row.next,
        event.type,
        event.nodeId ?? null,
        at,
        JSON.stringify(event.data ?? {}),
        event.outputAttempt ?? null,
        jsonOrNull(event.actor),
      );
      // Every event but a token chunk is a change of the run's state, so the run's updatedAt moves with it
      // (a few row writes per node; token chunks are many and change nothing a list of runs shows).
      if (event.type !== 'node.token') statement(this.db, 'UPDATE runs SET updated_at = ? WHERE id = ?').run(at, runId);
      return row.next;
    };
    // Inside a transaction the write lock is already held, so MAX + 1 is atomic without a savepoint of its own
    // (a failure fails the transaction around it).
    const inOuter = this.db.inTransaction;
    const seq = inOuter ? write() : writeTransaction(this.db, write);
    // Inside an outer transaction, tell listeners once it has committed.
    if (inOuter) queueMicrotask(() => this.notify(runId));
    else this.notify(runId);
    return seq;
  }

  list(runId: string, afterSeq = 0, limit = -1): RunEvent[] {
    const rows = statement(this.db, 'SELECT * FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(runId, afterSeq, limit) as EventRow[];
    return rows.map((row) => this.toEvent(row));
  }

  lastSeq(runId: string): number {
    const row = statement(this.db, 'SELECT COALESCE(MAX(seq), 0) AS last FROM run_events WHERE run_id = ?').get(runId) as { last: number };
    return row.last;
  }

  hasEvent(runId: string, type: RunEventType): boolean {
    return statement(this.db, 'SELECT 1 FROM run_events WHERE run_id = ? AND type = ? LIMIT 1').get(runId, type) !== undefined;
  }

  /** Called (after commit) whenever this process appended an event to a run. */
  onAppend(listener: (runId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(runId: string): void {
    for (const listener of this.listeners) listener(runId);
  }

  private toEvent(row: EventRow): RunEvent {
    return eventFromRow(row, (attempt, nodeId) => this.outputs.get(row.run_id, nodeId, attempt)?.output);
  }

}

