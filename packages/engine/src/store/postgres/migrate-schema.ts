// Brings a PostgreSQL database to the latest schema. Every process opening the database runs this; a
// session advisory lock makes concurrent starts take turns, so each migration is applied exactly once.
// LangGraph's checkpoint tables are set up under the same lock (their own setup is not safe to race).
import type pg from 'pg';
import { MIGRATIONS } from './migrations';

/** Arbitrary, fixed: the advisory lock every Storyloom process takes to migrate. */
const MIGRATION_LOCK_KEY = 0x5702_1001;

export async function migrateSchema(pool: pg.Pool, setupCheckpoints: () => Promise<void>): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((row) => row.version));
      const appliedNow: number[] = [];
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
        }
        appliedNow.push(migration.version);
      }
      await setupCheckpoints();
      return appliedNow;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
