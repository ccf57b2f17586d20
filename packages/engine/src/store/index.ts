// The stores behind a Storyloom instance: the embedded SQLite file by default, PostgreSQL when a database URL
// is given. Both behind the one async interface of contract.ts.
import type { Stores } from './contract';
import { openPgStores, type OpenPgStoresOptions } from './postgres/pg-stores';
import { openSqliteStores } from './sqlite-stores';

export type StoreLocation = { dbPath: string; databaseUrl?: undefined } | { databaseUrl: string; dbPath?: undefined };

export async function openStores(location: StoreLocation, pgOptions: OpenPgStoresOptions = {}): Promise<Stores> {
  if (location.databaseUrl !== undefined) return openPgStores(location.databaseUrl, pgOptions);
  return openSqliteStores(location.dbPath);
}

export type * from './contract';
export { openDatabase, writeTransaction, type SqliteDatabase } from './database';
export { openSqliteStores, openSqliteStoreSet, type SqliteStores, type SqliteStoreSet } from './sqlite-stores';
export { openPgStores, type PgStores, type OpenPgStoresOptions } from './postgres/pg-stores';
