// Prometheus metrics of one server or worker process (prom-client): runs by status and queue depth, read
// from the database and the queue when scraped (the same for every process), and the node and model-call
// durations and tokens of the runs this process drove (an embedded server's own, each worker's own).
import type { RunObserver, RunStatus, Storyloom } from '@storyloom/engine/node';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunDispatcher } from './dispatch/run-dispatcher';

const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];
/** Model calls and nodes take from milliseconds (a replayed or offline call) to minutes (a long scene). */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface MetricsSources {
  storyloom: Storyloom;
  dispatcher?: RunDispatcher;
}

export class Metrics {
  readonly registry = new Registry();
  private sources: MetricsSources | undefined;
  private readonly nodeDuration: Histogram<'type' | 'status'>;
  private readonly modelCallDuration: Histogram<'provider'>;
  private readonly replayedCalls: Counter<'provider'>;
  private readonly tokens: Counter<'direction'>;

  /** Told of the runs this process drives: pass it to `openStoryloom` as `observer`. */
  readonly observer: RunObserver = {
    nodeFinished: (info) => {
      this.nodeDuration.observe({ type: info.nodeType, status: info.status }, info.durationMs / 1000);
      if (info.usage.inputTokens > 0) this.tokens.inc({ direction: 'input' }, info.usage.inputTokens);
      if (info.usage.outputTokens > 0) this.tokens.inc({ direction: 'output' }, info.usage.outputTokens);
    },
    modelCallFinished: (info) => {
      if (info.replayed) this.replayedCalls.inc({ provider: info.provider });
      else this.modelCallDuration.observe({ provider: info.provider }, info.durationMs / 1000);
    },
  };

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'storyloom_process_' });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    new Gauge({
      name: 'storyloom_runs',
      help: 'Runs in the database by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const sources = metrics.sources;
        if (!sources) return;
        const counts = await sources.storyloom.countRunsByStatus();
        for (const status of RUN_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    });
    new Gauge({
      name: 'storyloom_queue_jobs',
      help: 'Run jobs by state: waiting for a driver, being driven, delayed for a retry',
      labelNames: ['state'],
      registers,
      async collect() {
        const dispatcher = metrics.sources?.dispatcher;
        if (!dispatcher) return;
        const depth = await dispatcher.depth();
        for (const state of ['waiting', 'active', 'delayed'] as const) this.set({ state }, depth[state]);
      },
    });
    this.nodeDuration = new Histogram({
      name: 'storyloom_node_duration_seconds',
      help: 'Node executions driven by this process, by node type and outcome',
      labelNames: ['type', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.modelCallDuration = new Histogram({
      name: 'storyloom_model_call_duration_seconds',
      help: 'Model calls sent by this process (retries included), by provider',
      labelNames: ['provider'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.replayedCalls = new Counter({
      name: 'storyloom_model_calls_replayed_total',
      help: 'Model calls read back from their record instead of being sent again (a node re-executed after a crash)',
      labelNames: ['provider'],
      registers,
    });
    this.tokens = new Counter({
      name: 'storyloom_model_tokens_total',
      help: 'Model tokens of the nodes this process drove, by direction (input = prompt, output = completion)',
      labelNames: ['direction'],
      registers,
    });
  }

  /** Where the gauges read from once the engine and the dispatcher exist. */
  watch(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
