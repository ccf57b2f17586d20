// The pool as the stores use it for statements outside a transaction: a statement that lost its connection while
// the database restarts is run again once it is back, but only when running it again is safe.
//
// The rule: a read (a SELECT without side-effecting calls) is always run again, it changes nothing. A write is
// run again only when it certainly did not reach the server: the connection could not be made (refused, the
// server starting up or shutting down), or node-postgres refused the statement on a client it already knew to
// be dead. A write whose connection died after it was sent may have committed before the answer was lost
// (autocommit commits as the statement ends): running it again could apply it twice, or make a conditional
// write (`UPDATE … WHERE status = 'queued'`) report that it changed nothing when it did. Such a write fails as
// unreachable and its caller decides, as a transaction lost during COMMIT does.
import type pg from 'pg';
import { retryWhileUnreachable } from '../unreachable';
import type { Queryable } from './queryable';

const SELECT = /^\s*SELECT\b/i;
/** Calls that make a SELECT act: notifications, advisory locks, sequences, backend signals. */
const SIDE_EFFECT_CALL = /\b(pg_notify|pg_advisory_\w+|pg_try_advisory_\w+|nextval|setval|pg_terminate_backend|pg_cancel_backend)\s*\(/i;
/** node-postgres's words for a statement it refused before writing anything, on a client already closed or broken. */
const REFUSED_BEFORE_SENDING = /not queryable/;

/** Whether running `sql` twice leaves the database as running it once does. */
export function isReadOnlyStatement(sql: string): boolean {
  return SELECT.test(sql) && !SIDE_EFFECT_CALL.test(sql);
}

function refusedBeforeSending(error: unknown): boolean {
  return typeof (error as Error | undefined)?.message === 'string' && REFUSED_BEFORE_SENDING.test((error as Error).message);
}

/**
 * Like `pool.query` (a client checked out for the one statement and released, dropped after an error), but
 * run again within the outage window where the rule above allows.
 */
export function outageTolerantPool(pool: pg.Pool): Queryable {
  const query = (textOrConfig: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> => {
    const readOnly = isReadOnlyStatement(typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text);
    let sent = false;
    return retryWhileUnreachable(
      async () => {
        sent = false;
        const client = await pool.connect(); // a failure here sent nothing
        let failure: Error | undefined;
        try {
          sent = true;
          return await client.query(textOrConfig, values);
        } catch (error) {
          if (refusedBeforeSending(error)) sent = false;
          failure = error as Error;
          throw error;
        } finally {
          client.release(failure);
        }
      },
      () => readOnly || !sent,
    );
  };
  return { query: query as pg.Pool['query'] };
}
