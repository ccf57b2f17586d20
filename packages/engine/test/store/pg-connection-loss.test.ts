// PostgreSQL connections cut under the store, as a restart cuts each of them: a transaction whose connection is
// terminated before COMMIT runs again on a new one (its first attempt rolled back), a statement error is not
// retried, and the classifier tells a lost connection from a wrong statement.
import pg from 'pg';
import { openPgStores, type PgStores } from '../../src/store';
import { isDatabaseUnreachable } from '../../src/store/unreachable';
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
