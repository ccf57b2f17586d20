// Rows of the webhook and comment tables as the API shows them: both stores select the same columns, so
// they read them back the same way here.
import type { Actor } from '../contract/actor';
import type { Comment, CommentThread } from '../comments/types';
import type { Webhook, WebhookDelivery, WebhookEvent } from '../webhooks/types';
import { parseJson } from './database';

export interface WebhookRow {
  id: string;
  url: string;
  events: string;
  created_at: string;
  created_by: string | null;
}

export function toWebhook(row: WebhookRow): Webhook {
  const createdBy = parseJson<Actor>(row.created_by);
  return { id: row.id, url: row.url, events: JSON.parse(row.events) as WebhookEvent[], createdAt: row.created_at, ...(createdBy ? { createdBy } : {}) };
}

export interface DeliveryRow {
  id: string;
  hook_id: string;
  event: WebhookEvent;
  run_id: string;
  body: string;
  status: WebhookDelivery['status'];
  log: string;
  next_attempt_at: number | null;
  created_at: string;
  delivered_at: string | null;
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  const delivery: WebhookDelivery = {
    id: row.id,
    hookId: row.hook_id,
    event: row.event,
    runId: row.run_id,
    status: row.status,
    attempts: JSON.parse(row.log),
    createdAt: row.created_at,
    payload: JSON.parse(row.body),
  };
  if (row.status === 'pending' && row.next_attempt_at !== null) delivery.nextAttemptAt = new Date(row.next_attempt_at).toISOString();
  if (row.delivered_at !== null) delivery.deliveredAt = row.delivered_at;
  return delivery;
}

export interface CommentRow {
  id: string;
  thread_id: string;
  run_id: string;
  node_id: string;
  attempt: number | null;
  scene: number | null;
  field: string | null;
  status: string | null;
  body: string;
  author: string | null;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

/**
 * Rows in creation order → threads (a thread's own row is its first comment), each with its replies. Threads
 * are read first: a reply written in the same millisecond as its thread may sort before it.
 */
export function threadsOf(rows: readonly CommentRow[]): CommentThread[] {
  const threads = new Map<string, CommentThread>();
  const roots = rows.filter((row) => row.id === row.thread_id);
  for (const row of [...roots, ...rows.filter((candidate) => candidate.id !== candidate.thread_id)]) {
    const author = parseJson<Actor>(row.author);
    const comment: Comment = { id: row.id, body: row.body, createdAt: row.created_at, ...(author ? { author } : {}) };
    if (row.id === row.thread_id) {
      const thread: CommentThread = {
        id: row.id,
        runId: row.run_id,
        nodeId: row.node_id,
        status: row.status === 'resolved' ? 'resolved' : 'open',
        comments: [comment],
        createdAt: row.created_at,
      };
      if (row.attempt !== null) thread.attempt = row.attempt;
      if (row.scene !== null || row.field !== null) {
        thread.anchor = { ...(row.scene !== null ? { scene: row.scene } : {}), ...(row.field !== null ? { field: row.field } : {}) };
      }
      if (row.resolved_at !== null) thread.resolvedAt = row.resolved_at;
      const resolvedBy = parseJson<Actor>(row.resolved_by);
      if (resolvedBy) thread.resolvedBy = resolvedBy;
      threads.set(row.id, thread);
    } else {
      threads.get(row.thread_id)?.comments.push(comment);
    }
  }
  return [...threads.values()];
}

/** An optional actor as a column value. */
export function actorColumn(actor: Actor | undefined): string | null {
  return actor ? JSON.stringify(actor) : null;
}
