// Webhooks and their delivery outbox in PostgreSQL: any number of servers send deliveries, each claimed by
// one at a time (SKIP LOCKED, then a lock that expires should the sender die).
import type { WebhookAttempt, Webhook, WebhookDelivery } from '../../webhooks/types';
import { type OutboxEvent, webhookPayload } from '../../webhooks/payload';
import { actorColumn, type DeliveryRow, toDelivery, toWebhook, type WebhookRow } from '../collab-rows';
import type { DeliveryOutcome, DueDelivery, WebhookRepository, NewWebhook } from '../contract';
import { nowIso } from '../database';
import { newId } from '../ids';
import { type DueRow, toDue } from '../webhook-store';
import { changed, firstRow, type Queryable, rowsOf } from './queryable';

export class PgWebhookStore implements WebhookRepository {
  constructor(private readonly db: Queryable) {}

  async create(hook: NewWebhook): Promise<Webhook> {
    const row = await firstRow<WebhookRow>(
      this.db,
      'INSERT INTO webhooks (id, url, secret, events, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [hook.id, hook.url, hook.secret, JSON.stringify(hook.events), nowIso(), actorColumn(hook.createdBy)],
    );
    return toWebhook(row!);
  }

  async list(): Promise<Webhook[]> {
    return (await rowsOf<WebhookRow>(this.db, 'SELECT * FROM webhooks ORDER BY created_at, id')).map(toWebhook);
  }

  async get(id: string): Promise<Webhook | undefined> {
    const row = await firstRow<WebhookRow>(this.db, 'SELECT * FROM webhooks WHERE id = $1', [id]);
    return row && toWebhook(row);
  }

  async delete(id: string): Promise<boolean> {
    return changed(
      this.db,
      'WITH gone AS (DELETE FROM webhook_deliveries WHERE hook_id = $1) DELETE FROM webhooks WHERE id = $1',
      [id],
    );
  }

  async enqueue(event: OutboxEvent): Promise<number> {
    const hooks = await rowsOf<{ id: string; pipeline_id: string | null }>(
      this.db,
      'SELECT h.id, (SELECT pipeline_id FROM runs WHERE id = $2) AS pipeline_id FROM webhooks h WHERE position($1 in h.events) > 0',
      [JSON.stringify(event.type), event.runId],
    );
    for (const hook of hooks) {
      const id = newId('whd');
      const body = JSON.stringify(webhookPayload(id, hook.id, hook.pipeline_id ?? '', event));
      await this.db.query(
        "INSERT INTO webhook_deliveries (id, hook_id, event, run_id, body, status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)",
        [id, hook.id, event.type, event.runId, body, Date.now(), nowIso()],
      );
    }
    return hooks.length;
  }

  async claimDue(owner: string, now: number, lockMs: number, limit: number): Promise<DueDelivery[]> {
    const rows = await rowsOf<DueRow>(
      this.db,
      `WITH due AS (
         SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
         ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET locked_by = $3, locked_until = $4 FROM due WHERE d.id = due.id
         RETURNING d.id, d.hook_id, d.event, d.body, d.attempts, d.next_attempt_at
       )
       SELECT c.id, c.hook_id, h.url, h.secret, c.event, c.body, c.attempts FROM claimed c JOIN webhooks h ON h.id = c.hook_id
       ORDER BY c.next_attempt_at, c.id`,
      [now, limit, owner, now + lockMs],
    );
    return rows.map(toDue);
  }

  async record(id: string, owner: string, attempt: WebhookAttempt, outcome: DeliveryOutcome): Promise<boolean> {
    return changed(
      this.db,
      `UPDATE webhook_deliveries SET attempts = attempts + 1, log = (log::jsonb || jsonb_build_array($1::jsonb))::text, status = $2,
         next_attempt_at = $3, delivered_at = $4, locked_by = NULL, locked_until = NULL
       WHERE id = $5 AND locked_by = $6 AND status = 'pending'`,
      [
        JSON.stringify(attempt),
        outcome.status,
        outcome.status === 'pending' ? outcome.nextAttemptAt : null,
        outcome.status === 'delivered' ? attempt.at : null,
        id,
        owner,
      ],
    );
  }

  async deliveries(hookId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await rowsOf<DeliveryRow>(this.db, 'SELECT * FROM webhook_deliveries WHERE hook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [hookId, limit]);
    return rows.map(toDelivery);
  }

  async nextDue(): Promise<number | undefined> {
    const row = await firstRow<{ due: number | null }>(
      this.db,
      "SELECT MIN(GREATEST(next_attempt_at, COALESCE(locked_until, 0))) AS due FROM webhook_deliveries WHERE status = 'pending'",
    );
    return row?.due ?? undefined;
  }
}
