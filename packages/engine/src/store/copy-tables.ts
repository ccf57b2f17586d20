// Copies Storyloom's own tables, row for row, from one store to another (the embedded SQLite file and
// PostgreSQL have the same tables with the same column types, so a row reads the same on either side). Every
// table both sides have is copied, with the columns both have, so tables added later are carried too.
// LangGraph's checkpoint tables differ between the two savers and are left to the savers themselves.
import type pg from 'pg';
import type { SqliteDatabase } from './database';

/** Not application data: schema bookkeeping and LangGraph's checkpoint tables (each saver has its own layout). */
const SKIPPED = new Set(['schema_migrations', 'checkpoints', 'writes', 'checkpoint_blobs', 'checkpoint_writes', 'checkpoint_migrations']);
/** PostgreSQL caps one statement at 65,535 parameters. */
const MAX_PARAMETERS = 60_000;

export interface TableAccess {
  /** Application tables and their columns. */
  tables(): Promise<Map<string, string[]>>;
  count(table: string): Promise<number>;
  read(table: string, columns: string[]): Promise<unknown[][]>;
  /** Writes every table given, then runs `finally` statements, in one transaction: all of it lands, or none. */
  writeAll(batches: Array<{ table: string; columns: string[]; rows: unknown[][] }>, finalStatements: readonly string[]): Promise<void>;
}

/**
 * PostgreSQL hands out each run's next event seq from a counter on the run row (SQLite reads the log's
 * highest): set it from the copied log, on whichever side it exists.
 */
const EVENT_COUNTER = 'UPDATE runs SET last_seq = COALESCE((SELECT MAX(seq) FROM run_events WHERE run_events.run_id = runs.id), 0)';

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function sqliteTables(db: SqliteDatabase): TableAccess {
  return {
    async tables() {
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((row) => row.name);
      return new Map(
        names.filter((name) => !SKIPPED.has(name)).map((name) => [name, (db.prepare(`PRAGMA table_info(${quoted(name)})`).all() as Array<{ name: string }>).map((column) => column.name)]),
      );
    },
    async count(table) {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${quoted(table)}`).get() as { n: number }).n;
    },
    async read(table, columns) {
      return db.prepare(`SELECT ${columns.map(quoted).join(', ')} FROM ${quoted(table)}`).raw().all() as unknown[][];
    },
    async writeAll(batches, finalStatements) {
      db.transaction(() => {
        for (const { table, columns, rows } of batches) {
          const insert = db.prepare(`INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
          for (const row of rows) insert.run(...row);
        }
        for (const statement of finalStatements) db.exec(statement);
      })();
    },
  };
}

export function postgresTables(pool: pg.Pool): TableAccess {
  return {
    async tables() {
      const { rows } = await pool.query<{ table_name: string; column_name: string }>(
        'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position',
      );
      const tables = new Map<string, string[]>();
      for (const row of rows) {
        if (SKIPPED.has(row.table_name)) continue;
        tables.set(row.table_name, [...(tables.get(row.table_name) ?? []), row.column_name]);
      }
      return tables;
    },
    async count(table) {
      return (await pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${quoted(table)}`)).rows[0].n;
    },
    async read(table, columns) {
      return (await pool.query({ text: `SELECT ${columns.map(quoted).join(', ')} FROM ${quoted(table)}`, rowMode: 'array' })).rows as unknown[][];
    },
    async writeAll(batches, finalStatements) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const { table, columns, rows } of batches) {
          const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
          for (let start = 0; start < rows.length; start += perStatement) {
            const chunk = rows.slice(start, start + perStatement);
            const values = chunk.map((_row, r) => `(${columns.map((_column, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
            await client.query(`INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES ${values.join(', ')}`, chunk.flat());
          }
        }
        for (const statement of finalStatements) await client.query(statement);
        // Rows keep their numbers: each serial column's sequence goes on after the highest one copied, or the
        // first row added after the copy (an audit entry, say) would take a number already used.
        const serials = await client.query<{ table_name: string; column_name: string }>(
          "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'",
        );
        for (const { table_name: table, column_name: column } of serials.rows) {
          if (!batches.some((batch) => batch.table === table && batch.rows.length > 0)) continue;
          await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), (SELECT MAX(${quoted(column)}) FROM ${quoted(table)}))`, [table, column]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

/**
 * Copies every application table `from` has into `to`, which must hold no pipelines and no runs (a copy never
 * merges into or overwrites a database in use). Returns the rows copied per table.
 */
export async function copyTables(from: TableAccess, to: TableAccess): Promise<Record<string, number>> {
  const [source, target] = await Promise.all([from.tables(), to.tables()]);
  const batches: Array<{ table: string; columns: string[]; rows: unknown[][] }> = [];
  for (const [table, columns] of source) {
    const targetColumns = target.get(table);
    if (!targetColumns) continue;
    const shared = columns.filter((column) => targetColumns.includes(column));
    batches.push({ table, columns: shared, rows: await from.read(table, shared) });
  }
  const counted = target.get('runs')?.includes('last_seq') ? [EVENT_COUNTER] : [];
  await to.writeAll(batches, counted);
  return Object.fromEntries(batches.map((batch) => [batch.table, batch.rows.length]));
}
