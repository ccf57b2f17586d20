// Webhooks and their deliveries in SQLite. Deliveries are an outbox: written with the event that causes them,
// claimed by one sender at a time under a lock that expires, and kept with the log of every try.
import type { WebhookAttempt, Webhook } from '../webhooks/types';
import { type OutboxEvent, webhookPayload } from '../webhooks/payload';
import { actorColumn, type DeliveryRow, toDelivery, toWebhook, type WebhookRow } from './collab-rows';
import type { DeliveryOutcome, DueDelivery, NewWebhook } from './contract';
import { nowIso, type SqliteDatabase, statement, writeTransaction } from './database';
import { newId } from './ids';

export class WebhookStore {
  constructor(private readonly db: SqliteDatabase) {}

  create(hook: NewWebhook): Webhook {
    const createdAt = nowIso();
    statement(this.db, 'INSERT INTO webhooks (id, url, secret, events, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)').run(
      hook.id,
      hook.url,
      hook.secret,
      JSON.stringify(hook.events),
      createdAt,
      actorColumn(hook.createdBy),
    );
    return this.get(hook.id)!;
  }

  list(): Webhook[] {
    return (statement(this.db, 'SELECT * FROM webhooks ORDER BY created_at, id').all() as WebhookRow[]).map(toWebhook);
  }

  get(id: string): Webhook | undefined {
    const row = statement(this.db, 'SELECT * FROM webhooks WHERE id = ?').get(id) as WebhookRow | undefined;
    return row && toWebhook(row);
  }

  delete(id: string): boolean {
    return writeTransaction(this.db, () => {
      statement(this.db, 'DELETE FROM webhook_deliveries WHERE hook_id = ?').run(id);
      return statement(this.db, 'DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;
    });
  }

  enqueue(event: OutboxEvent): number {
    const hooks = statement(this.db, 'SELECT id FROM webhooks WHERE instr(events, ?) > 0').all(JSON.stringify(event.type)) as Array<{ id: string }>;
    if (hooks.length === 0) return 0;
    const run = statement(this.db, 'SELECT pipeline_id FROM runs WHERE id = ?').get(event.runId) as { pipeline_id: string } | undefined;
    const insert = statement(
      this.db,
      "INSERT INTO webhook_deliveries (id, hook_id, event, run_id, body, status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
    );
    for (const hook of hooks) {
      const id = newId('whd');
      const body = JSON.stringify(webhookPayload(id, hook.id, run?.pipeline_id ?? '', event));
      insert.run(id, hook.id, event.type, event.runId, body, Date.now(), nowIso());
    }
    return hooks.length;
  }

  claimDue(owner: string, now: number, lockMs: number, limit: number): DueDelivery[] {
    return writeTransaction(this.db, () => {
      const rows = statement(
        this.db,
        `SELECT d.id, d.hook_id, h.url, h.secret, d.event, d.body, d.attempts FROM webhook_deliveries d JOIN webhooks h ON h.id = d.hook_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.locked_until IS NULL OR d.locked_until <= ?)
         ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      ).all(now, now, limit) as DueRow[];
      const lock = statement(this.db, 'UPDATE webhook_deliveries SET locked_by = ?, locked_until = ? WHERE id = ?');
      for (const row of rows) lock.run(owner, now + lockMs, row.id);
      return rows.map(toDue);
    });
  }

  record(id: string, owner: string, attempt: WebhookAttempt, outcome: DeliveryOutcome): boolean {
    const next = outcome.status === 'pending' ? outcome.nextAttemptAt : null;
    const deliveredAt = outcome.status === 'delivered' ? attempt.at : null;
    return (
      statement(
        this.db,
        `UPDATE webhook_deliveries SET attempts = attempts + 1, log = json_insert(log, '$[#]', json(?)), status = ?, next_attempt_at = ?,
           delivered_at = ?, locked_by = NULL, locked_until = NULL
         WHERE id = ? AND locked_by = ? AND status = 'pending'`,
      ).run(JSON.stringify(attempt), outcome.status, next, deliveredAt, id, owner).changes > 0
    );
  }

  deliveries(hookId: string, limit: number): ReturnType<typeof toDelivery>[] {
    const rows = statement(this.db, 'SELECT * FROM webhook_deliveries WHERE hook_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(hookId, limit) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  nextDue(): number | undefined {
    const row = statement(this.db, "SELECT MIN(MAX(next_attempt_at, COALESCE(locked_until, 0))) AS due FROM webhook_deliveries WHERE status = 'pending'").get() as {
      due: number | null;
    };
    return row.due ?? undefined;
  }
}

export interface DueRow {
  id: string;
  hook_id: string;
  url: string;
  secret: string;
  event: DueDelivery['event'];
  body: string;
  attempts: number;
}

export function toDue(row: DueRow): DueDelivery {
  return { id: row.id, hookId: row.hook_id, url: row.url, secret: row.secret, event: row.event, body: row.body, attempts: row.attempts };
}
