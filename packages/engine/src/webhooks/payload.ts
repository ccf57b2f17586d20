// The body of a webhook delivery, fixed when the event is recorded: every retry sends the same bytes.
import type { RunEvent } from '../runner/types';
import type { WebhookEvent, WebhookPayload } from './types';

/** The parts of a recorded event a delivery is made from. */
export type OutboxEvent = Pick<RunEvent, 'runId' | 'seq' | 'at' | 'nodeId'> & { type: WebhookEvent; data: Record<string, unknown> };

export function webhookPayload(deliveryId: string, hookId: string, pipelineId: string, event: OutboxEvent): WebhookPayload {
  return {
    id: deliveryId,
    event: event.type,
    at: event.at,
    hookId,
    run: { id: event.runId, pipelineId },
    ...(event.nodeId !== undefined ? { nodeId: event.nodeId } : {}),
    seq: event.seq,
    data: event.data,
  };
}
