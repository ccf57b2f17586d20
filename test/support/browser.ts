// Real headless Chromium (found by find-chromium.js, usually Debian's /usr/bin/chromium; driven by playwright-core) against the real Storyloom
// server on 127.0.0.1 with a fresh temporary SQLite database and the offline model.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
export const EDITOR_DIST = path.join(REPO_ROOT, 'packages/editor/dist');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { requireChromium } = require('./find-chromium') as { requireChromium(env: NodeJS.ProcessEnv): string };

/** Launches Chromium; without one it fails at once with the line saying what to install. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: requireChromium(process.env), args: CHROMIUM_ARGS });
}

/**
 * Starts everything a suite needs at once and keeps whatever did start even when another part failed, so
 * `afterAll` can close it: a server left open because the browser would not launch keeps jest from exiting.
 */
export async function startAll<T extends readonly unknown[]>(
  starts: { [K in keyof T]: () => Promise<T[K]> },
  keep: (started: { [K in keyof T]: T[K] | undefined }) => void,
): Promise<void> {
  const settled = await Promise.allSettled(starts.map((start) => start()));
  keep(settled.map((result) => (result.status === 'fulfilled' ? result.value : undefined)) as { [K in keyof T]: T[K] | undefined });
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

export interface EditorServer {
  url: string;
  dbPath: string;
  close(): Promise<void>;
}

interface StartServer {
  (options: { port: number; host?: string; dbPath: string; env: NodeJS.ProcessEnv; handleSignals?: boolean }): Promise<{ url: string; close(): Promise<void> }>;
}

/** Starts the built server (packages/server/dist) in this process, serving the built editor. */
export async function startEditorServer(env: Record<string, string> = {}): Promise<EditorServer> {
  if (!fs.existsSync(path.join(EDITOR_DIST, 'index.html'))) {
    throw new Error('The editor is not built: run `npm run build -w @storyloom/editor` (npm test builds everything first)');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startServer } = require(path.join(REPO_ROOT, 'packages/server/dist/server.js')) as { startServer: StartServer };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-e2e-'));
  const dbPath = path.join(dir, 'storyloom.db');
  // No shipped example pipelines unless a test asks for them (STORYLOOM_PIPELINES_DIR): tests start empty.
  const cleanEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, STORYLOOM_EDITOR_DIR: EDITOR_DIST, STORYLOOM_PIPELINES_DIR: '', ...env };
  const server = await startServer({ port: 0, host: '127.0.0.1', dbPath, env: cleanEnv, handleSignals: false });
  return {
    url: server.url.replace('localhost', '127.0.0.1'),
    dbPath,
    close: async () => {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Screenshot of the page under `test-artifacts/` (for failures and for looking at the UI). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: false }).catch(() => undefined);
  return file;
}

/** Collects the page's console errors and uncaught exceptions, which a test can assert are empty. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs every non-2xx response; tests that provoke one (a 409, a 401) assert its effect instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
  });
  return errors;
}

export interface BlipProxy {
  url: string;
  /** Request heads (first bytes of each request) seen, to check what a reconnecting client sent. */
  requestHeads: string[];
  /** Cuts every open connection, as a network blip would. */
  cutConnections(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `target`, whose connections a test can cut. */
export async function startBlipProxy(target: string): Promise<BlipProxy> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net');
  const { hostname, port } = new URL(target);
  const sockets = new Set<import('node:net').Socket>();
  const requestHeads: string[] = [];
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (/^(GET|POST|PUT|DELETE) /.test(text)) requestHeads.push(text.split('\r\n\r\n')[0]);
    });
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requestHeads,
    cutConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}
