// The HTTP layer's settings and their defaults, read from STORYLOOM_* environment variables (API keys, CORS origins,
// allowed hosts, body limit, concurrency, queue and stream limits) with overrides from the caller. A malformed number
// or body limit is refused at start, not silently defaulted. Also the default error log, which masks secrets.
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { redactSecrets } from './redact';

/** Everything the HTTP layer is configured with; `serverOptionsFromEnv` reads it from the environment variables the README lists. */
export interface ServerOptions {
  version: string;
  /** Passed to the engine's model layer (`availableModels`); keys never leave the server. */
  env: NodeJS.ProcessEnv;
  /** Empty: the API is open (local single user). */
  apiKeys: string[];
  /** Empty: no cross-origin access. `*` allows any origin to read (never to write). */
  corsOrigins: string[];
  /**
   * Host names (beyond loopback ones) an open server answers to: STORYLOOM_ALLOWED_HOSTS, plus the address it
   * listens on when that is not a wildcard. Unused when API keys are configured.
   */
  allowedHosts: string[];
  /** Runs that may wait in this server's queue; more are refused (429) until it drains. */
  maxQueued: number;
  /** Open event streams (SSE) at once; more are refused (503) until one closes. */
  maxStreams: number;
  /** Largest accepted JSON body, in bytes or a unit string ("2mb"). */
  bodyLimit: number | string;
  /** How many runs execute at the same time in this process. */
  concurrency: number;
  /** SSE comment interval, so proxies keep idle streams open. */
  sseHeartbeatMs: number;
  /** An SSE client further behind than this is disconnected instead of buffered without bound. */
  sseMaxBufferedBytes: number;
  /** The editor's static build (`packages/editor/dist`). */
  editorDir: string;
  /** Check JSON answers against their declared schemas (tests). */
  checkResponses: boolean;
  /** Where unexpected (500) errors are reported. */
  logError: (message: string, error: unknown) => void;
}

/** Loopback only: with no STORYLOOM_API_KEYS the API is open, so exposing it to a network must be asked for. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT = '2mb';
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_SSE_HEARTBEAT_MS = 15_000;
export const DEFAULT_SSE_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED = 1000;
export const DEFAULT_MAX_STREAMS = 500;

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function positiveIntegerOf(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return parsed;
}

function bodyLimitOf(value: string | undefined): number | string {
  if (value === undefined || value.trim() === '') return DEFAULT_BODY_LIMIT;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (/^\d+(\.\d+)?\s*(b|kb|mb|gb)$/i.test(trimmed)) return trimmed.toLowerCase();
  throw new Error(`STORYLOOM_BODY_LIMIT must be a byte count or like "2mb", got "${value}"`);
}

const packageRoot = path.resolve(__dirname, '..', '..');

export function serverVersion(): string {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function defaultEditorDir(): string {
  return path.resolve(packageRoot, '..', 'editor', 'dist');
}

/**
 * The default `logError`. The message may hold request data (a URL with `%ff` in it), so it is passed as an
 * argument of a fixed format string, never as the format string itself. API keys sent as `?access_token=`
 * are masked in both the message and the error (whose text may quote the URL).
 */
export function logErrorToConsole(message: string, error: unknown): void {
  console.error('storyloom: %s: %s', redactSecrets(message), redactSecrets(inspect(error)));
}

/** Reads STORYLOOM_API_KEYS, STORYLOOM_CORS_ORIGINS, STORYLOOM_ALLOWED_HOSTS, STORYLOOM_BODY_LIMIT, STORYLOOM_CONCURRENCY, STORYLOOM_MAX_QUEUED, STORYLOOM_MAX_STREAMS. */
export function serverOptionsFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<ServerOptions> = {}): ServerOptions {
  return {
    version: serverVersion(),
    env,
    apiKeys: listOf(env.STORYLOOM_API_KEYS),
    corsOrigins: listOf(env.STORYLOOM_CORS_ORIGINS),
    allowedHosts: listOf(env.STORYLOOM_ALLOWED_HOSTS),
    maxQueued: positiveIntegerOf(env.STORYLOOM_MAX_QUEUED, 'STORYLOOM_MAX_QUEUED', DEFAULT_MAX_QUEUED),
    maxStreams: positiveIntegerOf(env.STORYLOOM_MAX_STREAMS, 'STORYLOOM_MAX_STREAMS', DEFAULT_MAX_STREAMS),
    bodyLimit: bodyLimitOf(env.STORYLOOM_BODY_LIMIT),
    concurrency: positiveIntegerOf(env.STORYLOOM_CONCURRENCY, 'STORYLOOM_CONCURRENCY', DEFAULT_CONCURRENCY),
    sseHeartbeatMs: DEFAULT_SSE_HEARTBEAT_MS,
    sseMaxBufferedBytes: DEFAULT_SSE_MAX_BUFFERED_BYTES,
    editorDir: env.STORYLOOM_EDITOR_DIR ?? defaultEditorDir(),
    checkResponses: false,
    logError: logErrorToConsole,
    ...overrides,
  };
}
