// Server-Sent Events for a run's event log: the stored events after the client's last one, then live ones, until the
// run has ended. Writes never wait for a slow client (one too far behind is dropped and may reconnect with
// Last-Event-ID), and the open streams are tracked so a shutting-down server can end them.
import type { Request, Response } from 'express';
import { FINISHED_RUN_STATUSES, TERMINAL_EVENT_TYPES, type RunEvent, type RunStatus, type Storyloom } from '@storyloom/engine/node';

const TERMINAL_EVENTS = new Set<RunEvent['type']>(TERMINAL_EVENT_TYPES);
const TERMINAL_STATUSES = new Set<RunStatus>(FINISHED_RUN_STATUSES);

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
 * Streams a run's event log: everything after `afterSeq` that is stored, then live events as they happen, all
 * through one engine subscription that replays from `afterSeq` (each event once, in `seq` order, whichever
 * process or server wrote it). Ends once the run has ended and every event is sent (the stream stays open
 * while the run waits, since a decision continues it; a terminal event of an earlier attempt of a resumed run
 * does not end it). Writes never wait for the client: one that falls too far behind is dropped (it can
 * reconnect with Last-Event-ID, to any server), so a slow reader cannot hold up the run or grow memory.
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
  let closed = false;

  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true);

  const stop = (): void => {
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
  };
  const finish = (): void => {
    if (closed) return;
    stop();
    res.end();
  };

  const write = (chunk: string): void => {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > options.maxBufferedBytes) {
      stop();
      res.destroy();
    }
  };

  /** Ends the stream if the run has ended and nothing after the last sent event is stored. */
  const endIfOver = async (): Promise<void> => {
    try {
      const run = await storyloom.getRun(runId);
      if (closed || !run || !TERMINAL_STATUSES.has(run.status)) return;
      if ((await storyloom.events(runId, lastSeq)).length === 0) finish();
      // Otherwise the subscription delivers the rest, ending with the run's terminal event.
    } catch {
      // The database is unreachable for a moment: the next event (or the client's reconnect) settles it.
    }
  };

  write('retry: 2000\n\n');
  const unsubscribe = storyloom.subscribe(
    runId,
    (event) => {
      if (closed || event.seq <= lastSeq) return;
      lastSeq = event.seq;
      write(formatSseEvent(event));
      if (TERMINAL_EVENTS.has(event.type)) void endIfOver();
    },
    afterSeq,
  );
  const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
  heartbeat.unref();
  res.once('close', stop);
  void endIfOver();
}
