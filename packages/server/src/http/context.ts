// What every route handler works with: the engine, the run dispatcher, the open event streams, the metrics, the
// server's options and whether it is shutting down. One is built per app.
import type { Storyloom } from '@storyloom/engine/node';
import type { ServerOptions } from './options';
import type { RunDispatcher } from '../dispatch/run-dispatcher';
import type { Metrics } from '../metrics';
import type { EventStreams } from './sse';

/** What route handlers work with. */
export interface AppContext {
  storyloom: Storyloom;
  /** Where accepted runs go: driven in this process, or enqueued for workers. */
  scheduler: RunDispatcher;
  streams: EventStreams;
  metrics: Metrics;
  options: ServerOptions;
  /** Set when the server begins shutting down: new requests get 503 instead of a closing database. */
  lifecycle: { closing: boolean };
}
