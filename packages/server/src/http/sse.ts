import type { Request, Response } from 'express';
import type { RunEvent, RunStatus, Storyloom } from '@storyloom/engine/node';

const TERMINAL_EVENTS = new Set<RunEvent['type']>(['run.completed', 'run.failed', 'run.cancelled']);
const TERMINAL_STATUSES = new Set<RunStatus>(['completed', 'failed', 'cancelled']);

export interface EventStreamOptions {
  heartbeatMs: number;
  /** Bytes the socket may hold unsent before the client counts as too slow and is disconnected. */
  maxBufferedBytes: number;
}

/** Open SSE responses, so a shutting-down server can end them instead of waiting for clients. */
export class EventStreams {
  private readonly open = new Set<Response>();

  add(res: Response): void {
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  closeAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }

  get count(): number {
    return this.open.size;
  }
}

export function formatSseEvent(event: RunEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Streams a run's event log: everything after `afterSeq` that is stored, then live events as they happen.
 * Subscribing before reading the log means no event falls between the two; `seq` removes duplicates and a
 * gap in live delivery is filled from the log. Ends after a terminal event (the run stays open while waiting,
 * since a decision continues it). Writes never wait for the client: one that falls too far behind is dropped
 * (it can reconnect with Last-Event-ID), so a slow reader cannot hold up the run or grow memory without bound.
 */
export function streamRunEvents(
  storyloom: Storyloom,
  req: Request,
  res: Response,
  runId: string,
  afterSeq: number,
  options: EventStreamOptions,
): void {
  let lastSeq = afterSeq;
  let replaying = true;
  let closed = false;
  const heldBack: RunEvent[] = [];

  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true);

  const finish = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    res.end();
  };

  const write = (chunk: string): void => {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > options.maxBufferedBytes) {
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      res.destroy();
    }
  };

  const send = (event: RunEvent, endOnTerminal: boolean): void => {
    if (closed || event.seq <= lastSeq) return;
    if (event.seq > lastSeq + 1) {
      for (const missed of storyloom.events(runId, lastSeq)) {
        if (missed.seq >= event.seq) break;
        send(missed, false);
      }
    }
    lastSeq = event.seq;
    write(formatSseEvent(event));
    if (endOnTerminal && TERMINAL_EVENTS.has(event.type)) finish();
  };

  const unsubscribe = storyloom.subscribe(runId, (event) => {
    if (replaying) heldBack.push(event);
    else send(event, true);
  });
  const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
  heartbeat.unref();
  res.once('close', () => {
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
  });

  write('retry: 2000\n\n');
  // The stored log may hold terminal events of earlier attempts (a failed run later resumed), so the replay
  // never ends the stream by itself; the run's current status decides.
  for (const event of storyloom.events(runId, afterSeq)) send(event, false);
  replaying = false;
  for (const event of heldBack.splice(0)) send(event, true);
  if (closed) return;
  const run = storyloom.getRun(runId);
  if (run && TERMINAL_STATUSES.has(run.status)) {
    for (const event of storyloom.events(runId, lastSeq)) send(event, false);
    finish();
  }
}
