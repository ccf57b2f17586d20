// Reading the events route with the `eventsource` package (a spec-following SSE client with automatic
// reconnection and Last-Event-ID), plus a raw reader for what EventSource hides (comments, end of stream).
import { EventSource, type FetchLike } from 'eventsource';
import type { RunEvent } from '@storyloom/engine/node';

export interface CollectedStream {
  events: RunEvent[];
  /** The `lastEventId` the client reported with each message. */
  ids: string[];
  /** Last-Event-ID sent with each connection (null on the first). */
  connections: Array<string | null>;
  close(): void;
  /** Resolves when an event matches (or rejects after timeoutMs). */
  until(predicate: (event: RunEvent) => boolean, timeoutMs?: number): Promise<void>;
}

export interface CollectOptions {
  headers?: Record<string, string>;
  /** Cut the first connection like a network failure once it has delivered this many bytes of events. */
  dropFirstConnectionAfterEvents?: number;
}

/** Wraps a response body so it errors (like a dropped connection) after `events` complete SSE messages. */
function droppingAfter(response: Response, events: number): Response {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      text += decoder.decode(value, { stream: true });
      controller.enqueue(value);
      if ((text.match(/^id: /gm) ?? []).length >= events) {
        controller.error(new TypeError('simulated network failure'));
        void reader.cancel();
      }
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

export function collectEvents(url: string, options: CollectOptions = {}): CollectedStream {
  const events: RunEvent[] = [];
  const ids: string[] = [];
  const connections: Array<string | null> = [];
  const waiters = new Set<{ predicate: (event: RunEvent) => boolean; resolve: () => void }>();
  const fetchWithHeaders: FetchLike = async (input, init) => {
    const headers = new Headers(init?.headers as HeadersInit);
    for (const [name, value] of Object.entries(options.headers ?? {})) if (!headers.has(name)) headers.set(name, value);
    connections.push(headers.get('last-event-id'));
    const response = await fetch(input, { ...init, headers } as RequestInit);
    if (connections.length === 1 && options.dropFirstConnectionAfterEvents !== undefined) {
      return droppingAfter(response, options.dropFirstConnectionAfterEvents);
    }
    return response;
  };
  const source = new EventSource(url, { fetch: fetchWithHeaders });
  source.onmessage = (message) => {
    const event = JSON.parse(message.data) as RunEvent;
    events.push(event);
    ids.push(message.lastEventId);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(event)) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };
  return {
    events,
    ids,
    connections,
    close: () => source.close(),
    until(predicate, timeoutMs = 20_000) {
      if (events.some(predicate)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event; got ${events.map((e) => e.type).join(', ')}`)), timeoutMs);
        waiters.add({ predicate, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

/** Reads a stream to its end (or `timeoutMs`), returning the raw text and whether the server ended it. */
export async function readRawStream(url: string, init: RequestInit = {}, timeoutMs = 20_000): Promise<{ text: string; ended: boolean; response: Response }> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, ended: true, response };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, ended: false, response };
  } finally {
    clearTimeout(timer);
  }
}

/** The `data:` payloads of raw SSE text. */
export function eventsOfRawStream(text: string): RunEvent[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as RunEvent);
}
