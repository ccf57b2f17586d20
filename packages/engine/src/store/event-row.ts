// An event as both stores keep it (one row: its data as JSON, and the attempt whose stored output it carries)
// and the typed RunEvent it is read back as.
import type { Actor } from '../contract/actor';
import type { RunEvent, RunEventType } from '../contract/events';

export interface EventRow {
  run_id: string;
  seq: number;
  type: RunEventType;
  node_id: string | null;
  at: string;
  data: string;
  output_attempt: number | null;
  /** Who caused the event (JSON), when a person did. */
  actor: string | null;
}

/**
 * The event a row holds. `output` reads the attempt's stored output: approval.requested carries it as the
 * draft to decide on; node.completed and an edit's approval.resolved as the output.
 */
export function eventFromRow(row: EventRow, output: (attempt: number, nodeId: string) => unknown): RunEvent {
  const data = JSON.parse(row.data) as Record<string, unknown>;
  if (row.output_attempt !== null && row.node_id !== null) {
    data[row.type === 'approval.requested' ? 'draft' : 'output'] = output(row.output_attempt, row.node_id);
  }
  // The row was written from a typed NewEvent of the same type, so its data has that type's shape.
  const event = { seq: row.seq, runId: row.run_id, type: row.type, at: row.at, data } as RunEvent;
  if (row.node_id !== null) event.nodeId = row.node_id;
  if (row.actor) event.actor = JSON.parse(row.actor) as Actor;
  return event;
}
