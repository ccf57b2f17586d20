// Cancellation and per-attempt timeouts. A run's signal means "stop now, do not retry"; an attempt's own
// timeout means "this try took too long" and is retried like a network error.
import { StoryloomError } from '../errors';

export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
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
 * Runs `work` with a signal that aborts when the caller's signal aborts, or when `timeoutMs` pass without
 * progress: `work` calls `progress()` for each streamed token, so a slow answer that keeps streaming is not cut
 * while a server that stalls (before or during the answer) is. The returned promise settles at once on either,
 * even if `work` ignores its signal (a stalled stream must not hold up a cancel).
 */
export async function withAttemptSignal<T>(
  outer: AbortSignal | undefined,
  timeoutMs: number,
  work: (signal: AbortSignal, progress: () => void) => Promise<T>,
): Promise<T> {
  if (outer?.aborted) throw cancelledError();
  const controller = new AbortController();
  let rejectEarly!: (error: Error) => void;
  const early = new Promise<never>((_, reject) => (rejectEarly = reject));
  const stop = (error: Error) => {
    // Settle first: aborting may synchronously reject `work` with a less telling error.
    rejectEarly(error);
    controller.abort(error);
  };
  const onOuterAbort = () => stop(cancelledError());
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  // Progress only notes the time: one timer per quiet period, not one per token. When it fires, a call that
  // made progress meanwhile gets the rest of its period from its last token.
  let lastProgress = performance.now();
  const expire = () => {
    const quietMs = performance.now() - lastProgress;
    if (quietMs >= timeoutMs) stop(new AttemptTimeoutError(timeoutMs));
    else timer = setTimeout(expire, timeoutMs - quietMs);
  };
  let timer = setTimeout(expire, timeoutMs);
  const progress = () => {
    lastProgress = performance.now();
  };
  try {
    const running = work(controller.signal, progress);
    running.catch(() => undefined); // settled by `early` first; its own late rejection is expected
    return await Promise.race([running, early]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
