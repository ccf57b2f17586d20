import type { Storyloom } from '@storyloom/engine/node';
import type { ServerOptions } from './options';
import type { RunScheduler } from './run-scheduler';
import type { EventStreams } from './sse';

/** What route handlers work with. */
export interface AppContext {
  storyloom: Storyloom;
  scheduler: RunScheduler;
  streams: EventStreams;
  options: ServerOptions;
  /** Set when the server begins shutting down: new requests get 503 instead of a closing database. */
  lifecycle: { closing: boolean };
}
