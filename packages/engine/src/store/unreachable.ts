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
