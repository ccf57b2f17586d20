// Registering webhooks and reading their delivery logs, and the store side of sending: what a sender claims
// and records. Checks what API users give (URL and host policy, events) before anything is stored.
import type { Actor } from '../contract/actor';
import { StoryloomError } from '../errors';
import type { AllowList } from '../security/allow-list';
import type { DeliveryOutcome, DueDelivery, Stores } from '../store/contract';
import { newId } from '../store/ids';
import { checkWebhookUrl } from './host-policy';
import { newWebhookSecret } from './signature';
import { isWebhookEvent, WEBHOOK_EVENTS, type Webhook, type WebhookAttempt, type WebhookDelivery, type WebhookEvent } from './types';

export interface NewWebhookRequest {
  url: string;
  events: readonly string[];
  /** Generated (and shown once) when not given. */
  secret?: string;
  createdBy?: Actor;
}

/** A secret shorter than this is refused: it signs every delivery. */
const MIN_SECRET_LENGTH = 16;

export class Webhooks {
  constructor(private readonly stores: Stores) {}

  /** The hook and its secret (the only time the secret is shown). */
  async create(request: NewWebhookRequest, hosts: AllowList): Promise<{ webhook: Webhook; secret: string }> {
    const url = checkWebhookUrl(request.url, hosts);
    const unknown = request.events.filter((event) => !isWebhookEvent(event));
    if (unknown.length > 0 || request.events.length === 0) {
      const what = unknown.length > 0 ? `unknown event${unknown.length === 1 ? '' : 's'} ${unknown.map((event) => `'${event}'`).join(', ')}` : 'no events';
      throw new StoryloomError('invalid_input', `${what}: a webhook subscribes to one or more of ${WEBHOOK_EVENTS.join(', ')}`);
    }
    if (request.secret !== undefined && request.secret.length < MIN_SECRET_LENGTH) {
      throw new StoryloomError('invalid_input', `secret must be at least ${MIN_SECRET_LENGTH} characters (or leave it out to get a random one)`);
    }
    const secret = request.secret ?? newWebhookSecret();
    const events = [...new Set(request.events)] as WebhookEvent[];
    const webhook = await this.stores.webhooks.create({ id: newId('wh'), url, secret, events, createdBy: request.createdBy });
    return { webhook, secret };
  }

  list(): Promise<Webhook[]> {
    return this.stores.webhooks.list();
  }

  async get(id: string): Promise<Webhook> {
    const hook = await this.stores.webhooks.get(id);
    if (!hook) throw new StoryloomError('not_found', `no webhook '${id}'`);
    return hook;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.stores.webhooks.delete(id))) throw new StoryloomError('not_found', `no webhook '${id}'`);
  }

  async deliveries(id: string, limit = 100): Promise<WebhookDelivery[]> {
    await this.get(id);
    return this.stores.webhooks.deliveries(id, limit);
  }

  claimDue(owner: string, now: number, lockMs: number, limit: number): Promise<DueDelivery[]> {
    return this.stores.webhooks.claimDue(owner, now, lockMs, limit);
  }

  record(id: string, owner: string, attempt: WebhookAttempt, outcome: DeliveryOutcome): Promise<boolean> {
    return this.stores.webhooks.record(id, owner, attempt, outcome);
  }

  nextDue(): Promise<number | undefined> {
    return this.stores.webhooks.nextDue();
  }
}
