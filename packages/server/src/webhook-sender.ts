// Sends webhook deliveries from the database's outbox: whatever process recorded the event (this server, a
// CLI, a worker), any running server sends it, also one started after a crash. Each delivery is claimed under
// a lock that expires, POSTed with its HMAC signature, and logged; a receiver that does not answer 2xx is
// tried again with exponential backoff until the retries run out.
import {
  type AllowList,
  canonicalHost,
  DEFAULT_RETRY_SCHEDULE,
  type DueDelivery,
  isAllowed,
  nextRetryDelay,
  type RetrySchedule,
  SIGNATURE_HEADER,
  signWebhookBody,
  type Storyloom,
  webhookHostPolicy,
  type WebhookAttempt,
} from '@storyloom/engine/node';
import { hostname } from 'node:os';
import { isSharedServer } from './http/auth';
import { OutageLog } from './outage-log';
import type { ServerOptions } from './http/options';

export interface WebhookSenderOptions {
  retry: RetrySchedule;
  /** How often the outbox is looked at for deliveries other processes recorded (default 1 s). */
  pollMs: number;
  /** How long one try may take (default 10 s). */
  timeoutMs: number;
  /** Where a receiver may be: checked again at each try (the policy may have changed since the hook was made). */
  hosts: () => Promise<AllowList>;
  version: string;
  logError: (message: string, error: unknown) => void;
}

/** Deliveries claimed at a time, sent in parallel. */
const BATCH = 10;

function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 1) throw new Error(`${name} must be a positive number, got "${value}"`);
  return parsed;
}

/**
 * The hosts webhooks may go to on this server: anywhere for a local single user, else (API keys or user
 * accounts: several people) only STORYLOOM_WEBHOOK_HOSTS.
 */
export async function webhookHosts(options: Pick<ServerOptions, 'env' | 'apiKeys'>, storyloom: Pick<Storyloom, 'hasUsers'>): Promise<AllowList> {
  return webhookHostPolicy(options.env, { restricted: await isSharedServer(options.apiKeys, storyloom) });
}

/**
 * STORYLOOM_WEBHOOK_MAX_ATTEMPTS (6), STORYLOOM_WEBHOOK_RETRY_MS (first backoff, 10000, doubling up to
 * STORYLOOM_WEBHOOK_MAX_RETRY_MS, 3600000), STORYLOOM_WEBHOOK_POLL_MS (1000), STORYLOOM_WEBHOOK_TIMEOUT_MS (10000).
 */
export function webhookSenderOptionsFromEnv(options: ServerOptions): Omit<WebhookSenderOptions, 'hosts'> {
  const { env } = options;
  return {
    retry: {
      maxAttempts: Math.floor(positiveNumber(env.STORYLOOM_WEBHOOK_MAX_ATTEMPTS, 'STORYLOOM_WEBHOOK_MAX_ATTEMPTS', DEFAULT_RETRY_SCHEDULE.maxAttempts)),
      baseDelayMs: positiveNumber(env.STORYLOOM_WEBHOOK_RETRY_MS, 'STORYLOOM_WEBHOOK_RETRY_MS', DEFAULT_RETRY_SCHEDULE.baseDelayMs),
      maxDelayMs: positiveNumber(env.STORYLOOM_WEBHOOK_MAX_RETRY_MS, 'STORYLOOM_WEBHOOK_MAX_RETRY_MS', DEFAULT_RETRY_SCHEDULE.maxDelayMs),
    },
    pollMs: positiveNumber(env.STORYLOOM_WEBHOOK_POLL_MS, 'STORYLOOM_WEBHOOK_POLL_MS', 1_000),
    timeoutMs: positiveNumber(env.STORYLOOM_WEBHOOK_TIMEOUT_MS, 'STORYLOOM_WEBHOOK_TIMEOUT_MS', 10_000),
    version: options.version,
    logError: options.logError,
  };
}

export class WebhookSender {
  private readonly owner = `${hostname()}:${process.pid}:webhooks`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly outages: OutageLog;

  constructor(
    private readonly storyloom: Storyloom,
    private readonly options: WebhookSenderOptions,
  ) {
    this.outages = new OutageLog(options.logError);
  }

  start(): void {
    this.schedule(0);
  }

  /** No try starts after this; resolves once the tries under way have been recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => (this.running = undefined));
    }, Math.max(0, delayMs));
    this.timer.unref();
  }

  /** Sends what is due, then sleeps until the next delivery is due or the next look at the outbox. */
  private async pass(): Promise<void> {
    let next = this.options.pollMs;
    try {
      const now = Date.now();
      const due = await this.storyloom.webhooks.claimDue(this.owner, now, this.options.timeoutMs * 2, BATCH);
      const hosts = due.length > 0 ? await this.options.hosts() : 'any';
      await Promise.all(due.map((delivery) => this.send(delivery, hosts)));
      if (due.length === BATCH) next = 0;
      else {
        const nextDue = await this.storyloom.webhooks.nextDue();
        if (nextDue !== undefined) next = Math.min(next, nextDue - Date.now());
      }
      this.outages.succeeded();
    } catch (error) {
      if (!this.stopped) this.outages.failed('sending webhooks', error);
    }
    this.schedule(next);
  }

  private async send(delivery: DueDelivery, hosts: AllowList): Promise<void> {
    const started = Date.now();
    const attempt: WebhookAttempt = { at: new Date(started).toISOString(), durationMs: 0 };
    let ok = false;
    let retry = true;
    const host = new URL(delivery.url).host;
    if (!isAllowed(hosts, host, canonicalHost)) {
      attempt.error = `host '${host}' is not allowed on this server (STORYLOOM_WEBHOOK_HOSTS)`;
      retry = false;
    } else {
      try {
        const response = await fetch(delivery.url, {
          method: 'POST',
          body: delivery.body,
          redirect: 'manual', // a redirect could lead anywhere, past the host policy
          signal: AbortSignal.timeout(this.options.timeoutMs),
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': `storyloom/${this.options.version}`,
            [SIGNATURE_HEADER]: signWebhookBody(delivery.secret, delivery.body),
            'X-Storyloom-Event': delivery.event,
            'X-Storyloom-Delivery': delivery.id,
          },
        });
        await response.body?.cancel();
        attempt.status = response.status;
        ok = response.status >= 200 && response.status < 300;
      } catch (error) {
        attempt.error = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (error as Error).message;
      }
    }
    attempt.durationMs = Date.now() - started;
    const delay = ok || !retry ? undefined : nextRetryDelay(this.options.retry, delivery.attempts + 1);
    const outcome = ok ? { status: 'delivered' as const } : delay === undefined ? { status: 'failed' as const } : { status: 'pending' as const, nextAttemptAt: Date.now() + delay };
    try {
      await this.storyloom.webhooks.record(delivery.id, this.owner, attempt, outcome);
    } catch (error) {
      this.options.logError(`recording webhook delivery ${delivery.id}`, error);
    }
  }
}
