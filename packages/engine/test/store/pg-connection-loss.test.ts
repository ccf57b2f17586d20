// PostgreSQL connections cut under the store, as a restart cuts each of them: a transaction whose connection is
// terminated before COMMIT runs again on a new one (its first attempt rolled back), a single read cut off runs
// again while a single write cut off after it was sent does not (it may have committed), a statement error is
// not retried, and the classifiers tell a lost connection from a wrong statement and a read from a write.
import pg from 'pg';
import { openPgStores, type PgStores } from '../../src/store';
import { DatabaseUnreachableError, isDatabaseUnreachable } from '../../src/store/unreachable';
import { isReadOnlyStatement, outageTolerantPool } from '../../src/store/postgres/outage-tolerant-pool';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';

let database: TestDatabase;
let stores: PgStores;

beforeAll(async () => {
  database = await createTestDatabase();
  stores = await openPgStores(database.url, { poolSize: 2 });
});

afterAll(async () => {
  await stores?.close();
  await database?.drop();
});

/** Terminates this database's connections that sit inside a transaction, from a connection of its own. */
async function terminateOpenTransactions(): Promise<number> {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction' AND pid <> pg_backend_pid()",
      [database.name],
    );
    for (const { pid } of rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    return rows.length;
  } finally {
    await admin.end();
  }
}

it('a transaction whose connection is terminated before COMMIT runs again, and only its second attempt is kept', async () => {
  let attempts = 0;
  let terminated = 0;
  await stores.transaction(async (tx) => {
    attempts += 1;
    await tx.meta.set('restart-probe', `attempt ${attempts}`);
    await tx.meta.set(`only-attempt-${attempts}`, 'written');
    if (attempts === 1) terminated = await terminateOpenTransactions();
    await tx.meta.set('after-the-cut', `attempt ${attempts}`);
  });
  expect(terminated).toBe(1);
  expect(attempts).toBe(2);
  expect(await stores.meta.get('restart-probe')).toBe('attempt 2');
  expect(await stores.meta.get('after-the-cut')).toBe('attempt 2');
  expect(await stores.meta.get('only-attempt-1')).toBeUndefined();
  // The pool dropped the dead connection: both of its connections serve again.
  await Promise.all([stores.ping(), stores.ping(), stores.ping()]);
});

/** Terminates the connection of this database's statement that sleeps in pg_sleep, once it does. */
async function terminateSleepingStatement(): Promise<void> {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    for (let tries = 0; tries < 200; tries += 1) {
      const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'", [database.name]);
      if (rows.length > 0) {
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no statement started sleeping');
  } finally {
    await admin.end();
  }
}

it('a single read cut off mid-statement runs again and answers', async () => {
  const db = outageTolerantPool(stores.pool);
  const [{ rows }] = await Promise.all([db.query<{ n: number }>('SELECT 7 AS n FROM pg_sleep(0.3)'), terminateSleepingStatement()]);
  expect(rows).toEqual([{ n: 7 }]);
});

it('a single write cut off after it was sent is not run again: it fails as unreachable, saying it may have been applied', async () => {
  await stores.pool.query('CREATE TABLE cut_writes (n int)');
  const db = outageTolerantPool(stores.pool);
  const [failure] = await Promise.all([db.query('INSERT INTO cut_writes SELECT 1 FROM pg_sleep(0.3)').catch((error: unknown) => error), terminateSleepingStatement()]);
  expect(failure).toBeInstanceOf(DatabaseUnreachableError);
  expect((failure as DatabaseUnreachableError).outcomeUnknown).toBe(true);
  expect((failure as Error).message).toMatch(/^the database is unreachable: the connection was lost while a write was in flight; it may or may not have been applied \(/);
  expect(isDatabaseUnreachable(failure)).toBe(true);
  // Run once, and cut off before it committed: no row (a second attempt would have added one).
  expect((await stores.pool.query('SELECT COUNT(*)::int AS n FROM cut_writes')).rows).toEqual([{ n: 0 }]);
});

it('tells a read, safe to run again, from a write or a SELECT with side effects', () => {
  expect(isReadOnlyStatement('SELECT * FROM runs WHERE id = $1')).toBe(true);
  expect(isReadOnlyStatement('\n  select count(*) from run_events')).toBe(true);
  expect(isReadOnlyStatement("SELECT pg_notify('storyloom_cancel', $1)")).toBe(false);
  expect(isReadOnlyStatement('SELECT pg_advisory_lock(1)')).toBe(false);
  expect(isReadOnlyStatement("SELECT nextval('seq')")).toBe(false);
  expect(isReadOnlyStatement('WITH inserted AS (INSERT INTO t VALUES (1) RETURNING n) SELECT n FROM inserted')).toBe(false);
  expect(isReadOnlyStatement("UPDATE runs SET status = 'running' WHERE id = $1")).toBe(false);
  expect(isReadOnlyStatement('DELETE FROM meta')).toBe(false);
});

it('a statement error is thrown at once, not retried as an outage', async () => {
  let attempts = 0;
  const failure = await stores
    .transaction(async () => {
      attempts += 1;
      await stores.pool.query('SELECT * FROM no_such_table');
    })
    .catch((error: unknown) => error);
  expect(attempts).toBe(1);
  expect(isDatabaseUnreachable(failure)).toBe(false);
  expect((failure as { code?: string }).code).toBe('42P01');
});

it('tells a lost or refused connection from other errors', async () => {
  const refused = await new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres' }).connect().catch((error: unknown) => error);
  expect(isDatabaseUnreachable(refused)).toBe(true);
  const cut = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  expect(isDatabaseUnreachable(cut)).toBe(true);
  expect(isDatabaseUnreachable(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
  expect(isDatabaseUnreachable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  expect(isDatabaseUnreachable('Connection terminated')).toBe(false);
});
