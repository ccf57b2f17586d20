// When a failed delivery is tried again: exponential backoff, doubling from `baseDelayMs` up to `maxDelayMs`,
// for at most `maxAttempts` tries in all.

export interface RetrySchedule {
  /** Tries in all, the first included (default 6). */
  maxAttempts: number;
  /** Wait after the first failure (default 10 s); each further failure doubles it. */
  baseDelayMs: number;
  /** The longest wait between two tries (default 1 h). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { maxAttempts: 6, baseDelayMs: 10_000, maxDelayMs: 3_600_000 };

/** The wait before try `attempts + 1` after `attempts` failed tries, or undefined when none is left. */
export function nextRetryDelay(schedule: RetrySchedule, attempts: number): number | undefined {
  if (attempts >= schedule.maxAttempts) return undefined;
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** (attempts - 1));
}
