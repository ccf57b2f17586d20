// Shared by the HTTP tests: a real server on 127.0.0.1 (port 0) over a temp SQLite file, the offline model,
// and small fetch helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pipeline, RunView } from '@storyloom/engine/node';
import { type RunningServer, startServer } from '../../src/server';
import type { ServerOptions } from '../../src/http/options';
import { exampleScreenplay } from '../../../../test/support/example-screenplay';

export interface TestServer extends RunningServer {
  dir: string;
  dbPath: string;
  /** fetch relative to the server, JSON body encoded when `json` is given. */
  request(pathname: string, init?: RequestInit & { json?: unknown; key?: string }): Promise<Response>;
  /** Request + parse JSON, returning status, headers and body. */
  call<T = any>(method: string, pathname: string, json?: unknown, key?: string): Promise<{ status: number; body: T; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestServer(
  /** `databaseUrl`: PostgreSQL instead of the SQLite file in `dir`. */
  options: { env?: NodeJS.ProcessEnv; overrides?: Partial<ServerOptions>; dir?: string; databaseUrl?: string } = {},
): Promise<TestServer> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-http-'));
  const dbPath = path.join(dir, 'storyloom.db');
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dbPath }),
    env: options.env ?? {},
    handleSignals: false,
    pipelinesDir: null, // no shipped examples: each test starts from an empty database (see shipped-pipelines.test.ts)
    overrides: { checkResponses: true, sseHeartbeatMs: 250, editorDir: path.join(dir, 'no-editor'), ...options.overrides },
  });
  const request: TestServer['request'] = (pathname, init = {}) => {
    const { json, key, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined) headers.set('Content-Type', 'application/json');
    if (key !== undefined) headers.set('Authorization', `Bearer ${key}`);
    return fetch(server.url + pathname, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  };
  const call: TestServer['call'] = async (method, pathname, json, key) => {
    const response = await request(pathname, { method, json, key });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    ...server,
    dir,
    dbPath,
    request,
    call,
    async stop() {
      await server.close();
      if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The example screenplay pipeline (test/fixtures/example-screenplay.json) with 3 characters and 3 scenes and a review
 * threshold of 1 (no revision loop); `approval` on the cast node, latency per offline call optional.
 */
export function screenplayPipeline(options: { id?: string; approval?: boolean; latencyMs?: number; scenes?: number } = {}): Pipeline {
  return exampleScreenplay({
    id: options.id,
    cast: 3,
    scenes: options.scenes ?? 3,
    approval: options.approval ?? false,
    threshold: 1,
    model: options.latencyMs ? { provider: 'offline', latencyMs: options.latencyMs } : undefined,
  });
}

export const PREMISE = 'A lighthouse keeper finds a message in a bottle addressed to her, dated tomorrow.';

/** Polls GET /api/runs/:id until `done(run)`. */
export async function waitForRun(
  server: TestServer,
  runId: string,
  done: (run: RunView) => boolean,
  timeoutMs = 20_000,
): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await server.call<RunView>('GET', `/api/runs/${runId}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not get there in time; last status ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const isStatus = (...statuses: RunView['status'][]) => (run: RunView) => statuses.includes(run.status);
