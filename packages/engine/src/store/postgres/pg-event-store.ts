// Each run's ordered event log in PostgreSQL. The next `seq` comes from a counter on the run row, bumped in
// the same statement that inserts the event: the row lock it takes is held until commit, so concurrent
// writers on any machine commit their events in `seq` order, without gaps or duplicates. The statement also
// notifies listeners on every server (delivered at commit), which is how any server streams any run.
import type { RunEvent, RunEventType } from '../../runner/types';
import type { EventRepository, NewEvent } from '../contract';
import { nowIso } from '../database';
import { jsonOrNull } from '../run-store';
import { firstRow, type Queryable, rowsOf } from './queryable';
import { eventFromRow, type EventRow as StoredEventRow } from '../event-row';

/** The channel a committed event is announced on; the payload is the run id. */
export const EVENTS_CHANNEL = 'storyloom_events';

interface EventRow extends StoredEventRow {
  output: string | null;
  actor: string | null;
}

export class PgEventStore implements EventRepository {
  constructor(private readonly db: Queryable) {}

  async append(runId: string, event: NewEvent): Promise<number> {
    const at = nowIso();
    // Every event but a token chunk is a change of the run's state, so the run's updatedAt moves with it.
    const row = await firstRow<{ seq: number }>(
      this.db,
      `WITH next AS (
         UPDATE runs SET last_seq = last_seq + 1, updated_at = CASE WHEN $7 THEN $5 ELSE updated_at END
         WHERE id = $1 RETURNING last_seq
       ), inserted AS (
         INSERT INTO run_events (run_id, seq, type, node_id, at, data, output_attempt, actor)
         SELECT $1, last_seq, $2, $3, $5, $4, $6, $8 FROM next RETURNING seq
       )
       SELECT seq, pg_notify('${EVENTS_CHANNEL}', $1) FROM inserted`,
      [runId, event.type, event.nodeId ?? null, JSON.stringify(event.data ?? {}), at, event.outputAttempt ?? null, event.type !== 'node.token', jsonOrNull(event.actor)],
    );
    if (!row) throw new Error(`no run '${runId}' to append an event to`);
    return row.seq;
  }

  async list(runId: string, afterSeq = 0, limit?: number): Promise<RunEvent[]> {
    // One query: the output an event refers to (following a rerun's reference) is joined in.
    const rows = await rowsOf<EventRow>(
      this.db,
      `SELECT e.*, COALESCE(r.output, o.output) AS output
       FROM run_events e
       LEFT JOIN node_outputs o ON e.output_attempt IS NOT NULL AND o.run_id = e.run_id AND o.node_id = e.node_id AND o.attempt = e.output_attempt
       LEFT JOIN node_outputs r ON o.ref_run_id IS NOT NULL AND r.run_id = o.ref_run_id AND r.node_id = o.node_id AND r.attempt = o.ref_attempt
       WHERE e.run_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`,
      [runId, afterSeq, limit === undefined || limit < 0 ? null : limit],
    );
    return rows.map(toEvent);
  }

  async lastSeq(runId: string): Promise<number> {
    const row = await firstRow<{ last: number }>(this.db, 'SELECT COALESCE(MAX(seq), 0) AS last FROM run_events WHERE run_id = $1', [runId]);
    return row?.last ?? 0;
  }

  async hasEvent(runId: string, type: RunEventType): Promise<boolean> {
    return (await firstRow(this.db, 'SELECT 1 FROM run_events WHERE run_id = $1 AND type = $2 LIMIT 1', [runId, type])) !== undefined;
  }
}

function toEvent(row: EventRow): RunEvent {
  return eventFromRow(row, () => (row.output === null ? undefined : JSON.parse(row.output)));
}
