// Starting and stopping a server: opens the database (seeding the shipped example pipelines once), picks where runs
// are driven (in this process, or a queue with STORYLOOM_REDIS_URL), serves the app, recovers runs whose driver died,
// sends webhooks, and on close stops all of it in order, giving requests in flight a short grace period.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { leaseTtlFromEnv, openStoryloom, preloadRunner, type Storyloom } from '@storyloom/engine/node';
import type express from 'express';
import { createApp as createHttpApp, type AppOptions } from './http/app';
import { bindHostEntry } from './http/host-guard';
import { DEFAULT_HOST, type ServerOptions, serverOptionsFromEnv } from './http/options';
import { EventStreams } from './http/sse';
import { dispatcherFor } from './dispatch/dispatcher-for';
import { queueSettingsFromEnv } from './dispatch/queue-settings';
import type { RunDispatcher } from './dispatch/run-dispatcher';
import { Metrics } from './metrics';
import { RecoveryLoop, recoveryLoopFor } from './recovery-loop';
import { readShippedPipelines, shippedPipelinesDir } from './shipped-pipelines';
import { WebhookSender, webhookHosts, webhookSenderOptionsFromEnv } from './webhook-sender';

export type { ServerOptions } from './http/options';
export type { AppOptions } from './http/app';

/** The Express app over an open engine (no listening, no recovery): what `startServer` serves. */
export function createApp(storyloom: Storyloom, options: AppOptions = {}): express.Express {
  return createHttpApp(storyloom, options);
}

export interface StartServerOptions {
  port: number;
  /** Default DEFAULT_HOST (127.0.0.1): with no API keys the API is open, so it is not exposed to the network unless asked. */
  host?: string;
  /** The SQLite file (the embedded default); ignored when `databaseUrl` is given. */
  dbPath?: string;
  /** `postgres://…`: the shared database of a many-machines setup. */
  databaseUrl?: string;
  env: NodeJS.ProcessEnv;
  /** SIGTERM/SIGINT close the server gracefully and exit 0. Default false: the CLI (`storyloom serve`) handles signals itself. */
  handleSignals?: boolean;
  /** Overrides of what is otherwise read from `env` (STORYLOOM_CONCURRENCY etc.) or defaulted. */
  overrides?: Partial<ServerOptions>;
  /**
   * Folder of example pipelines a new database is seeded with (once). Default: STORYLOOM_PIPELINES_DIR, else the
   * repository's `pipelines/`; `null` seeds nothing.
   */
  pipelinesDir?: string | null;
}

export interface RunningServer {
  url: string;
  port: number;
  storyloom: Storyloom;
  /** Drives runs in this process, or (with STORYLOOM_REDIS_URL) enqueues them for `storyloom worker` processes. */
  scheduler: RunDispatcher;
  /** Takes over runs whose driver died (with the queue: enqueues them again): at start, then about once per lease renewal interval. */
  recovery: RecoveryLoop;
  /** Stops taking requests and recovering runs, ends event streams, aborts in-flight runs at their checkpoint, closes the database. */
  close(): Promise<void>;
}

/** How long in-flight HTTP requests get to finish during shutdown before their connections are cut. */
const REQUEST_GRACE_MS = 2_000;

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * A new database gets the shipped example pipelines (once: the engine records it, so a deleted one stays
 * deleted). Files that cannot be read and examples that cannot be saved are logged, never fatal.
 */
async function seedShippedPipelines(storyloom: Storyloom, dir: string | undefined, logError: ServerOptions['logError']): Promise<void> {
  if (dir === undefined) return;
  const { pipelines, unreadable } = readShippedPipelines(dir); // a few small files: cheap on every start
  const result = await storyloom.seedPipelines(pipelines);
  if (result.alreadySeeded) return;
  for (const problem of unreadable) logError('reading a shipped pipeline', new Error(problem));
  for (const { source, reason } of result.invalid) logError(`seeding ${source}`, new Error(reason));
}

function storeOf(options: StartServerOptions): { dbPath: string } | { databaseUrl: string } {
  if (options.databaseUrl) return { databaseUrl: options.databaseUrl };
  if (options.dbPath) return { dbPath: options.dbPath };
  throw new Error('startServer needs a dbPath or a databaseUrl');
}

/**
 * Opens the database, serves the API and the editor, and keeps resuming runs whose driver died (those left
 * by a previous process at start, then any whose lease dies while it runs). Prints nothing.
 */
export async function startServer(startOptions: StartServerOptions): Promise<RunningServer> {
  const options = serverOptionsFromEnv(startOptions.env, startOptions.overrides);
  // The name it was told to listen on is one it answers to (a wildcard such as 0.0.0.0 names no host).
  options.allowedHosts = [...options.allowedHosts, ...bindHostEntry(startOptions.host)];
  const leaseTtlMs = leaseTtlFromEnv(startOptions.env);
  const webhookOptions = webhookSenderOptionsFromEnv(options);
  const queueSettings = queueSettingsFromEnv(startOptions.env);
  const metrics = new Metrics();
  const storyloom = await openStoryloom({ ...storeOf(startOptions), env: startOptions.env, leaseTtlMs, observer: metrics.observer });
  const pipelinesDir = startOptions.pipelinesDir === undefined ? shippedPipelinesDir(startOptions.env) : (startOptions.pipelinesDir ?? undefined);
  try {
    await seedShippedPipelines(storyloom, pipelinesDir, options.logError);
  } catch (error) {
    await storyloom.close();
    throw error;
  }
  const scheduler = dispatcherFor(storyloom, { concurrency: options.concurrency, logError: options.logError, ...(queueSettings ? { queue: queueSettings } : {}) });
  const streams = new EventStreams();
  const lifecycle = { closing: false };
  metrics.watch({ storyloom, dispatcher: scheduler });
  const app = createHttpApp(storyloom, { ...options, scheduler, streams, lifecycle, metrics });
  const httpServer = http.createServer(app);

  let address: AddressInfo;
  try {
    address = await listen(httpServer, startOptions.port, startOptions.host ?? DEFAULT_HOST);
  } catch (error) {
    await scheduler.stop();
    await storyloom.close();
    throw error;
  }
  // An embedded file is this server's alone at start; a shared PostgreSQL database may have other servers
  // about to drive the runs they just queued.
  const recovery = recoveryLoopFor(storyloom, scheduler, leaseTtlMs, options.logError);
  await recovery.start();
  const webhooks = new WebhookSender(storyloom, { ...webhookOptions, hosts: () => webhookHosts(options, storyloom) });
  webhooks.start();
  // Loaded once the server answers, not before: the first run (or take-over) then starts at once. A server
  // that only enqueues never drives.
  const preload = setTimeout(() => scheduler.kind === 'in-process' && preloadRunner(), 0);
  preload.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      removeSignalHandlers();
      lifecycle.closing = true;
      await recovery.stop();
      await webhooks.stop();
      clearTimeout(preload);
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      streams.closeAll();
      httpServer.closeIdleConnections();
      const cutConnections = setTimeout(() => httpServer.closeAllConnections(), REQUEST_GRACE_MS);
      cutConnections.unref();
      await scheduler.stop();
      await stopped;
      clearTimeout(cutConnections);
      await storyloom.close();
    })());

  const onSignal = (): void => {
    close().then(
      () => process.exit(0),
      (error) => {
        options.logError('shutdown', error);
        process.exit(1);
      },
    );
  };
  const handleSignals = startOptions.handleSignals ?? false;
  const removeSignalHandlers = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  return { url: urlOf(address), port: address.port, storyloom, scheduler, recovery, close };
}
