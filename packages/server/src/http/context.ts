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
}
