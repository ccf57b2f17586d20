// Cancellation and per-attempt timeouts. A run's signal means "stop now, do not retry"; an attempt's own
// timeout means "this try took too long" and is retried like a network error.
import { StoryloomError } from '../errors';

export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'AttemptTimeoutError';
  }
}

export function cancelledError(label?: string): StoryloomError {
  return new StoryloomError('cancelled', label ? `model call '${label}' was cancelled` : 'model call was cancelled');
}

/** Resolves after `ms`; rejects with a cancellation error as soon as `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelledError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `work` with a signal that aborts when the caller's signal aborts or after `timeoutMs`. The returned
 * promise settles at once on either, even if `work` ignores its signal (a stalled stream must not hold a cancel).
 */
export async function withAttemptSignal<T>(
  outer: AbortSignal | undefined,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (outer?.aborted) throw cancelledError();
  const controller = new AbortController();
  let rejectEarly!: (error: Error) => void;
  const early = new Promise<never>((_, reject) => (rejectEarly = reject));
  const onOuterAbort = () => {
    const error = cancelledError();
    rejectEarly(error);
    controller.abort(error);
  };
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(() => {
    const error = new AttemptTimeoutError(timeoutMs);
    rejectEarly(error);
    controller.abort(error);
  }, timeoutMs);
  try {
    const running = work(controller.signal);
    running.catch(() => undefined); // settled by `early` first; its own late rejection is expected
    return await Promise.race([running, early]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
