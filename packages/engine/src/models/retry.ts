// Retries for model requests: which failures are worth another attempt (429, 5xx, network errors, timeouts),
// how long to wait (exponential backoff with jitter, or the server's Retry-After), and the final message.
import { StoryloomError, isStoryloomError } from '../errors';
import { AttemptTimeoutError, cancelledError, sleepUnlessAborted, withAttemptSignal } from './abort';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Per attempt: how long an attempt may go without a streamed token (or the first one). */
  timeoutMs: number;
  /** First backoff delay; doubles each retry. */
  baseDelayMs: number;
  /** Upper bound on any single wait, including a server's Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, timeoutMs: 120_000, baseDelayMs: 500, maxDelayMs: 30_000 };

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const NETWORK_MESSAGE = /fetch failed|connection error|socket hang up|terminated|network|ECONNREFUSED|ECONNRESET/i;

export type FailureKind = 'http' | 'network' | 'timeout' | 'other';

export interface Failure {
  kind: FailureKind;
  retryable: boolean;
  status?: number;
  /** From a Retry-After (or retry-after-ms) header. */
  retryAfterMs?: number;
  /** One line for events and messages, e.g. `HTTP 429: rate limited` or `connect ECONNREFUSED 127.0.0.1:5999`. */
  summary: string;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function httpStatus(error: unknown): number | undefined {
  for (const link of causes(error)) {
    const record = link as { status?: unknown; status_code?: unknown; response?: { status?: unknown } };
    for (const value of [record.status, record.status_code, record.response?.status]) {
      if (typeof value === 'number' && value >= 100 && value < 600) return value;
    }
  }
  return undefined;
}

function header(error: unknown, name: string): string | undefined {
  for (const link of causes(error)) {
    const headers = (link as { headers?: unknown }).headers;
    if (!headers || typeof headers !== 'object') continue;
    if (typeof (headers as Headers).get === 'function') {
      const value = (headers as Headers).get(name);
      if (value) return value;
    } else {
      const value = (headers as Record<string, unknown>)[name];
      if (typeof value === 'string') return value;
    }
  }
  return undefined;
}

/** Retry-After as seconds or an HTTP date; retry-after-ms (OpenAI) in milliseconds. */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const ms = header(error, 'retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = header(error, 'retry-after');
  if (!value) return undefined;
  if (Number.isFinite(Number(value))) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function networkSummary(error: unknown): string | undefined {
  const chain = causes(error);
  const coded = chain.find((link) => NETWORK_CODES.has(String((link as { code?: unknown }).code)));
  if (coded) return (coded as Error).message || String((coded as { code?: unknown }).code);
  const innermost = chain[chain.length - 1] as Error | undefined;
  if (chain.some((link) => NETWORK_MESSAGE.test(String((link as Error).message)))) {
    return innermost?.message || 'network error';
  }
  return undefined;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

export function classifyFailure(error: unknown): Failure {
  if (error instanceof AttemptTimeoutError) return { kind: 'timeout', retryable: true, summary: error.message };
  const status = httpStatus(error);
  if (status !== undefined) {
    const message = firstLine(String((error as Error)?.message ?? error)).replace(/^\d{3}\s*/, '');
    return {
      kind: 'http',
      status,
      retryable: status === 429 || status >= 500 || status === 408,
      retryAfterMs: retryAfterMs(error),
      summary: `HTTP ${status}${message ? `: ${message}` : ''}`,
    };
  }
  const network = networkSummary(error);
  if (network) return { kind: 'network', retryable: true, summary: network };
  const name = (error as Error)?.name;
  if (name === 'TimeoutError') return { kind: 'timeout', retryable: true, summary: firstLine(String((error as Error).message)) };
  return { kind: 'other', retryable: false, summary: firstLine(String((error as Error)?.message ?? error)) };
}

/** Exponential backoff with ±25 % jitter, or the server's Retry-After; both capped. */
export function backoffDelay(attempt: number, failure: Failure, policy: RetryPolicy, random = Math.random): number {
  if (failure.retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, failure.retryAfterMs);
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  const jittered = exponential * (0.75 + random() * 0.5);
  return Math.round(Math.min(policy.maxDelayMs, jittered));
}

/** The final error after giving up, e.g. `openai (http://…/v1) unreachable after 5 attempts: connect ECONNREFUSED …`. */
export interface ModelErrorDetails {
  status?: number;
  kind: FailureKind;
  attempts: number;
}

export function giveUpError(where: string, failure: Failure, attempts: number): StoryloomError {
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const verb =
    failure.kind === 'network'
      ? `unreachable after ${tries}`
      : failure.kind === 'timeout'
        ? `timed out after ${tries}`
        : failure.kind === 'http' && !failure.retryable
          ? `rejected the request`
          : `failed after ${tries}`;
  const details: ModelErrorDetails = { status: failure.status, kind: failure.kind, attempts };
  return new StoryloomError('model_error', `${where} ${verb}: ${failure.summary}`, details);
}

export interface RetryContext {
  policy: RetryPolicy;
  /** For messages: `openai (http://…)`. */
  where: string;
  signal?: AbortSignal;
  label?: string;
  onRetry?(info: { attempt: number; delayMs: number; error: string; label: string | undefined }): void;
  random?: () => number;
}

/**
 * Runs one model request with a timeout per attempt and retries on transient failures. A caller's abort ends
 * it at once with `StoryloomError('cancelled')`; every other failure ends as `StoryloomError('model_error')`
 * whose `details` ({ status, kind, attempts }) let callers react, e.g. to a 400 about response_format.
 */
export async function withRetries<T>(context: RetryContext, work: (signal: AbortSignal, progress: () => void) => Promise<T>): Promise<T> {
  const { policy, signal } = context;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withAttemptSignal(signal, policy.timeoutMs, work);
    } catch (error) {
      if (signal?.aborted) throw cancelledError(context.label);
      if (isStoryloomError(error)) throw error;
      const failure = classifyFailure(error);
      if (!failure.retryable || attempt > policy.maxRetries) throw giveUpError(context.where, failure, attempt);
      const delayMs = backoffDelay(attempt, failure, policy, context.random);
      context.onRetry?.({ attempt, delayMs, error: failure.summary, label: context.label });
      await sleepUnlessAborted(delayMs, signal).catch(() => {
        throw cancelledError(context.label);
      });
    }
  }
}
