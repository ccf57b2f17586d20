// Whether an error means the database could not be reached (a restart, a dropped connection) rather than that
// the statement was wrong: such a failure says nothing about the run, so it is retried or handed back, never
// recorded as the run's outcome.

/** SQLSTATE classes and codes of a lost or refused connection: 08 (connection exception), 57P01–57P03 (shutdown, starting up). */
const LOST_SQLSTATE = /^(08...|57P0[123])$/;
/** Socket errors of a connection that failed or was cut. */
const LOST_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH']);
/** node-postgres reports a connection that ended under it in words, without a code. */
const LOST_MESSAGE = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Looks at the shape, not the class: socket errors come from Node's own realm, which `instanceof Error` misses in a sandbox. */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; current = (current as ErrorLike).cause, depth += 1) {
    const { code, message, errors } = current as ErrorLike;
    if (typeof code === 'string' && (LOST_SQLSTATE.test(code) || LOST_SOCKET.has(code))) return true;
    if (typeof message === 'string' && LOST_MESSAGE.test(message)) return true;
    if (Array.isArray(errors) && errors.some(isDatabaseUnreachable)) return true;
  }
  return false;
}

/** While the database restarts, work that lost its connection is tried again this often… */
const OUTAGE_RETRY_MS = 250;
/** …for this long after its first attempt (a restart takes a few seconds); then it fails as unreachable. */
export const OUTAGE_WINDOW_MS = 10_000;

/** The database stayed unreachable through the retry window, or a write was cut off with its outcome unknown. */
export class DatabaseUnreachableError extends Error {
  constructor(
    message: string,
    cause: unknown,
    /** A write was cut off after it was sent: it may have been applied, so repeating it blindly may apply it twice. */
    readonly outcomeUnknown = false,
  ) {
    super(`the database is unreachable: ${message} (${describeCause(cause)})`, { cause });
    this.name = 'DatabaseUnreachableError';
  }
}

/** Node's AggregateError of a refused connection has an empty message; its code says what happened. */
function describeCause(cause: unknown): string {
  const { message, code } = (typeof cause === 'object' && cause !== null ? cause : {}) as ErrorLike;
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : String(cause);
}

/** By name, not class: an engine loaded twice (jest module registries) still recognises its own window. */
function isSpentWindow(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Error).name === 'DatabaseUnreachableError';
}

/**
 * Runs `attempt`, and again every OUTAGE_RETRY_MS while it fails only because the database is unreachable and
 * `mayRunAgain(error)` says running it again is safe (the caller knows whether its work may already have been
 * applied). Past OUTAGE_WINDOW_MS, or when it may not run again, it fails with a DatabaseUnreachableError, which
 * is still `isDatabaseUnreachable` (through its cause). That error is never retried by an enclosing retry: its
 * window is spent, and nested windows would multiply.
 */
export async function retryWhileUnreachable<T>(attempt: () => Promise<T>, mayRunAgain: (error: unknown) => boolean = () => true): Promise<T> {
  const deadline = Date.now() + OUTAGE_WINDOW_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (isSpentWindow(error) || !isDatabaseUnreachable(error)) throw error;
      if (!mayRunAgain(error)) throw new DatabaseUnreachableError('the connection was lost while a write was in flight; it may or may not have been applied', error, true);
      if (Date.now() + OUTAGE_RETRY_MS > deadline) throw new DatabaseUnreachableError(`still no connection after ${OUTAGE_WINDOW_MS / 1000} s of retrying`, error);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_RETRY_MS));
    }
  }
}
