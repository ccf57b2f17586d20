// What a PostgreSQL store runs its SQL on: the pool (each statement on its own), or one client inside a transaction.
import type pg from 'pg';

export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export async function rowsOf<R extends pg.QueryResultRow>(db: Queryable, sql: string, values: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(sql, values)).rows;
}

export async function firstRow<R extends pg.QueryResultRow>(db: Queryable, sql: string, values: unknown[] = []): Promise<R | undefined> {
  return (await db.query<R>(sql, values)).rows[0];
}

export async function changed(db: Queryable, sql: string, values: unknown[] = []): Promise<boolean> {
  return ((await db.query(sql, values)).rowCount ?? 0) > 0;
}
