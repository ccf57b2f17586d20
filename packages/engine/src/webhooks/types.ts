// Webhooks as the API shows them: which run events a hook is told about, and the log of each delivery.
// Browser-safe (the editor and API clients read these shapes).
import type { Actor } from '../contract/actor';

/** The run events a hook may subscribe to. */
export const WEBHOOK_EVENTS = ['approval.requested', 'run.completed', 'run.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEvent(value: unknown): value is WebhookEvent {
  return typeof value === 'string' && (WEBHOOK_EVENTS as readonly string[]).includes(value);
}

/** A registered hook; its secret is shown once, when it is created, and never listed. */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
  createdBy?: Actor;
}

/** One try at sending a delivery: the receiver's HTTP status, or why no answer came. */
export interface WebhookAttempt {
  at: string;
  status?: number;
  error?: string;
  durationMs: number;
}

/** `pending` until a receiver answers 2xx (`delivered`) or the retries run out (`failed`). */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  hookId: string;
  event: WebhookEvent;
  runId: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookAttempt[];
  /** When the next try is due (pending deliveries only). */
  nextAttemptAt?: string;
  createdAt: string;
  deliveredAt?: string;
  /** The JSON body sent (the same bytes on every try, so its signature stays valid). */
  payload: WebhookPayload;
}

/** The JSON body a receiver gets. */
export interface WebhookPayload {
  /** The delivery's id (also `X-Storyloom-Delivery`): the same on every retry, so receivers can drop repeats. */
  id: string;
  event: WebhookEvent;
  at: string;
  hookId: string;
  run: { id: string; pipelineId: string };
  nodeId?: string;
  /** The event's place in the run's log. */
  seq: number;
  data: Record<string, unknown>;
}
