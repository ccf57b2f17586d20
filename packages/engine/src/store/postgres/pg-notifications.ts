// One LISTEN connection per process for the notifications other servers and workers send (committed events,
// cancel requests). It reconnects by itself after PostgreSQL restarts; on reconnect every listener is called
// with no run id, meaning "something may have been missed: look again".
import type pg from 'pg';
import { loadPg } from './pg-module';

type Listener = (payload: string | undefined) => void;

const RECONNECT_MS = 500;

export class PgNotifications {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;

  constructor(private readonly config: pg.ClientConfig) {}

  /** Calls `listener` with the payload of every notification on `channel`; returns the function that stops it. */
  on(channel: string, listener: Listener): () => void {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      if (this.client) this.client.query(`LISTEN ${channel}`).catch(() => undefined);
    }
    set.add(listener);
    void this.ensureConnected();
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new (loadPg().Client)(this.config);
    client.on('notification', (message) => {
      for (const listener of this.listeners.get(message.channel) ?? []) listener(message.payload);
    });
    let alive = true;
    const lost = () => {
      alive = false;
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      this.retryLater();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
      // Dropped between its LISTENs and now (before it counted as this process's connection): connect again.
      if (!alive) throw new Error('connection lost while listening');
    } catch {
      client.end().catch(() => undefined);
      this.retryLater();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Notifications sent while no connection listened are lost: tell everyone to look again.
    for (const set of this.listeners.values()) for (const listener of set) listener(undefined);
  }

  private retryLater(): void {
    if (this.closed) return;
    const timer = setTimeout(() => void this.ensureConnected(), RECONNECT_MS);
    timer.unref();
  }
}
