// Picks a run's events of one type (and, if given, one node) as that type, so a test reads the event's own `data`
// fields with their types instead of the union of every event's.
import type { RunEvent, RunEventOf, RunEventType } from '../../packages/engine/src/contract/events';

export function eventsOf<T extends RunEventType>(events: readonly RunEvent[], type: T, nodeId?: string): RunEventOf<T>[] {
  return events.filter((event): event is RunEventOf<T> => event.type === type && (nodeId === undefined || event.nodeId === nodeId));
}
