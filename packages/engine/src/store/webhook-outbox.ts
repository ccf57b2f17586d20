// Every event a webhook may be told about records its deliveries in the same transaction that appends it,
// whichever process appends it (a server, a CLI, a worker): the deliveries are then sent by any server that
// runs a sender, also after a restart.
import { isWebhookEvent } from '../webhooks/types';
import type { EventRepository, NewEvent, Stores, WebhookRepository } from './contract';
import { nowIso } from './database';

function eventsWithAppend(events: EventRepository, append: EventRepository['append']): EventRepository {
  return {
    append,
    list: (runId, afterSeq, limit) => events.list(runId, afterSeq, limit),
    lastSeq: (runId) => events.lastSeq(runId),
    hasEvent: (runId, type) => events.hasEvent(runId, type),
  };
}

/** An approval granted at once (autoApprove) asks no one: nobody is told about it. */
function notifies(event: NewEvent): boolean {
  return isWebhookEvent(event.type) && !(event.type === 'approval.requested' && event.data?.autoApprove === true);
}

/** The event log of one connection or transaction, recording deliveries after each event that notifies. */
export function withWebhookOutbox(events: EventRepository, webhooks: WebhookRepository): EventRepository {
  return eventsWithAppend(events, async (runId, event) => {
    const seq = await events.append(runId, event);
    if (notifies(event) && isWebhookEvent(event.type)) {
      await webhooks.enqueue({ runId, seq, type: event.type, nodeId: event.nodeId, at: nowIso(), data: (event.data ?? {}) as Record<string, unknown> });
    }
    return seq;
  });
}

/** Outside a transaction, an event that notifies is appended in one, with its deliveries. */
export function outboxAppendsInTransactions<S extends Stores>(stores: S): S {
  const events = stores.events;
  stores.events = eventsWithAppend(events, (runId, event) =>
    notifies(event) ? stores.transaction((tx) => tx.events.append(runId, event)) : events.append(runId, event),
  );
  return stores;
}
