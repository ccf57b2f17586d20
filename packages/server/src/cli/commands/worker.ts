// `storyloom worker`: drives runs from the shared BullMQ queue (STORYLOOM_REDIS_URL) on the database every
// server uses, and reconciles the queue with it (runs whose job was lost are enqueued again).
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../../metrics';
import { DB_FLAG, engineNode } from '../context';
import { EXIT, invalid } from '../errors';
import { untilSignal } from '../signals';
import { stringFlag, type Command } from './command';

const DEFAULT_CONCURRENCY = 4;
/** How long a stopping worker lets its drives run on before handing them back (STORYLOOM_WORKER_GRACE_MS). */
const DEFAULT_GRACE_MS = 10_000;

export const workerCommand: Command = {
  spec: {
    name: 'worker',
    summary: 'Drive runs from the shared queue (needs STORYLOOM_REDIS_URL).',
    positionals: [],
    flags: [
      { name: 'concurrency', kind: 'string', valueName: 'n', description: `runs driven at once by this process (default: ${DEFAULT_CONCURRENCY})` },
      {
        name: 'metrics-port',
        kind: 'string',
        valueName: 'n',
        description: "serve this worker's Prometheus metrics at http://127.0.0.1:<n>/metrics (node and model-call durations, tokens)",
      },
      { name: 'metrics-host', kind: 'string', valueName: 'address', description: 'address the metrics listen on (default: 127.0.0.1)' },
      DB_FLAG,
    ],
    notes: [
      'Use the same database as the servers (--db postgres://… or STORYLOOM_DATABASE_URL) and the same STORYLOOM_REDIS_URL.',
      'A job advances one run until it waits for approval or ends; a decision made on any server enqueues the rest.',
      'On SIGTERM or Ctrl-C it takes no new jobs, lets the runs it drives go on for STORYLOOM_WORKER_GRACE_MS',
      `(${DEFAULT_GRACE_MS} ms by default), then stops them at their last checkpoint and hands them back to the queue.`,
      'A killed worker\'s runs are taken over by another within STORYLOOM_QUEUE_LOCK_MS + STORYLOOM_QUEUE_STALL_MS',
      '(30000 + 30000 ms by default; and, on another machine, once its lease expires: STORYLOOM_LEASE_TTL_MS).',
    ],
  },
  async run(ctx, args) {
    const concurrency = positiveInteger(stringFlag(args, 'concurrency') ?? String(DEFAULT_CONCURRENCY), '--concurrency');
    const graceMs = nonNegativeInteger(ctx.io.env.STORYLOOM_WORKER_GRACE_MS ?? String(DEFAULT_GRACE_MS), 'STORYLOOM_WORKER_GRACE_MS');
    // Loaded here: BullMQ is only needed by the commands that use the queue.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { queueSettingsFromEnv, describeRedis } = require('../../dispatch/queue-settings') as typeof import('../../dispatch/queue-settings');
    const { QueueDispatcher } = require('../../dispatch/queue-dispatcher') as typeof import('../../dispatch/queue-dispatcher');
    const { RunWorker } = require('../../dispatch/run-worker') as typeof import('../../dispatch/run-worker');
    const { recoveryLoopFor } = require('../../recovery-loop') as typeof import('../../recovery-loop');
    /* eslint-enable @typescript-eslint/no-require-imports */
    let settings;
    try {
      settings = queueSettingsFromEnv(ctx.io.env);
    } catch (error) {
      throw invalid((error as Error).message);
    }
    if (!settings) throw invalid('STORYLOOM_REDIS_URL is not set: a worker takes its runs from the queue (redis://host:6379/0)');

    const metricsPortText = stringFlag(args, 'metrics-port');
    const metricsPort = metricsPortText === undefined ? undefined : port(metricsPortText);

    const stopRequested = untilSignal();
    const { leaseTtlFromEnv, openStoryloom, preloadRunner } = engineNode();
    const leaseTtlMs = leaseTtlFromEnv(ctx.io.env);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Metrics } = require('../../metrics') as typeof import('../../metrics');
    const metrics = new Metrics();
    const storyloom = await openStoryloom({ ...ctx.database, env: ctx.env, leaseTtlMs, observer: metrics.observer });
    const logError = (message: string, error: unknown) => ctx.err(`worker: ${message}: ${(error as Error)?.message ?? String(error)}`);
    preloadRunner();
    const worker = new RunWorker(storyloom, { settings, concurrency, logError });
    const reenqueue = new QueueDispatcher(settings, logError);
    const reconciler = recoveryLoopFor(storyloom, reenqueue, leaseTtlMs, logError);
    metrics.watch({ storyloom, dispatcher: reenqueue });
    let metricsServer: Server | undefined;
    try {
      await worker.ready();
      await reconciler.start();
      ctx.out(`Storyloom worker: ${concurrency} run${concurrency === 1 ? '' : 's'} at a time`);
      ctx.out(`  database: ${ctx.databaseLabel}`);
      ctx.out(`  queue: ${describeRedis(settings)}`);
      if (metricsPort !== undefined) {
        metricsServer = await serveMetrics(metrics, metricsPort, stringFlag(args, 'metrics-host') ?? '127.0.0.1');
        ctx.out(`  metrics: http://${stringFlag(args, 'metrics-host') ?? '127.0.0.1'}:${(metricsServer.address() as AddressInfo).port}/metrics`);
      }
      await stopRequested;
      ctx.err(`Stopping: ${worker.active} run(s) in progress get ${graceMs} ms, then go back to the queue…`);
    } finally {
      metricsServer?.close();
      await reconciler.stop();
      await worker.stop(graceMs);
      await reenqueue.stop();
      await storyloom.close();
    }
    return EXIT.completed;
  },
};

/** GET /metrics only: a worker has no API. */
function serveMetrics(metrics: Metrics, portNumber: number, host: string): Promise<Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
      (error: Error) => res.writeHead(503, { 'Content-Type': 'text/plain' }).end(error.message),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(portNumber, host, () => resolve(server));
  });
}

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw invalid(`--metrics-port must be a number from 0 to 65535, got '${text}'`);
  return value;
}

function positiveInteger(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw invalid(`${name} must be a whole number of at least 1, got '${text}'`);
  return value;
}

function nonNegativeInteger(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw invalid(`${name} must be a whole number of milliseconds, got '${text}'`);
  return value;
}
