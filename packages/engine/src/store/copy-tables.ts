// Copies Storyloom's own tables, row for row, from one store to another (the embedded SQLite file and
// PostgreSQL have the same tables with the same column types, so a row reads the same on either side). Every
// table both sides have is copied, with the columns both have, so tables added later are carried too.
// LangGraph's checkpoint tables differ between the two savers and are left to the savers themselves.
//
// Rows travel in batches of a few hundred, read in key order from one read snapshot of the source and written
// into one transaction on the target, so memory stays bounded however long the run history is, the copy is
// of one moment of the source, and the target gets all of it or none.
import type pg from 'pg';
import { StoryloomError } from '../errors';
import { statement } from './database';
import type { SqliteStores } from './sqlite-stores';

/** Not application data: schema bookkeeping and LangGraph's checkpoint tables (each saver has its own layout). */
const SKIPPED = new Set(['schema_migrations', 'checkpoints', 'writes', 'checkpoint_blobs', 'checkpoint_writes', 'checkpoint_migrations']);
/** PostgreSQL caps one statement at 65,535 parameters. */
const MAX_PARAMETERS = 60_000;
/** Rows read (and written) at a time unless the caller says otherwise. */
export const DEFAULT_COPY_BATCH_ROWS = 500;

/** The table's rows (the columns asked for, in that order), in key order, at most `batchSize` per batch. */
export type BatchReader = (table: string, columns: readonly string[], batchSize: number) => AsyncIterable<unknown[][]>;
/** Inserts rows into the open write transaction. */
export type RowInserter = (table: string, columns: readonly string[], rows: unknown[][]) => Promise<void>;

export interface TableAccess {
  /** Application tables and their columns. */
  tables(): Promise<Map<string, string[]>>;
  /** For each table with foreign keys, the tables they point at (its rows can only go in after theirs). */
  references(): Promise<Map<string, string[]>>;
  count(table: string): Promise<number>;
  /** Runs `fn` with a reader over one consistent snapshot of the database, held until `fn` settles. */
  reading<T>(fn: (read: BatchReader) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with an inserter, then `finalStatements`, in one transaction: committed only if all of it
   * succeeds, rolled back otherwise.
   */
  writing(fn: (insert: RowInserter) => Promise<void>, finalStatements: readonly string[]): Promise<void>;
}

export interface CopyOptions {
  /** Rows per read and per write (default DEFAULT_COPY_BATCH_ROWS). */
  batchSize?: number;
  /** Told after each batch has been written into the (still open) target transaction. */
  onBatch?: (table: string, rows: number) => void;
}

/**
 * PostgreSQL hands out each run's next event seq from a counter on the run row (SQLite reads the log's
 * highest): set it from the copied log, on whichever side it exists.
 */
const EVENT_COUNTER = 'UPDATE runs SET last_seq = COALESCE((SELECT MAX(seq) FROM run_events WHERE run_events.run_id = runs.id), 0)';

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * One keyset page: the columns asked for followed by the key columns, after the last key seen (none on the
 * first page), then the page size. Seeking past the last key (instead of OFFSET) makes every page cost the same.
 * `placeholder` spells parameter `index` (1-based), the key column it stands for when it stands for one.
 */
function pageQuery(
  table: string,
  columns: readonly string[],
  key: readonly string[],
  after: boolean,
  placeholder: (index: number, keyColumn?: number) => string,
): string {
  const keyList = key.map((column) => (column === 'rowid' || column === 'ctid' ? column : quoted(column))).join(', ');
  const where = after ? ` WHERE (${keyList}) > (${key.map((_column, position) => placeholder(position + 1, position)).join(', ')})` : '';
  const limit = placeholder(after ? key.length + 1 : 1);
  return `SELECT ${[...columns.map(quoted), keyList].join(', ')} FROM ${quoted(table)}${where} ORDER BY ${keyList} LIMIT ${limit}`;
}

/** Pages through a table with `fetchPage` until a short page; each page's trailing key columns are cut off. */
async function* keysetPages(
  columnCount: number,
  keyLength: number,
  batchSize: number,
  fetchPage: (after: unknown[] | undefined, limit: number) => Promise<unknown[][]>,
): AsyncGenerator<unknown[][]> {
  let after: unknown[] | undefined;
  for (;;) {
    const page = await fetchPage(after, batchSize);
    if (page.length > 0) {
      after = page[page.length - 1].slice(columnCount, columnCount + keyLength);
      yield page.map((row) => row.slice(0, columnCount));
    }
    if (page.length < batchSize) return;
  }
}

/** 'invalid_input' unless `batchSize` is a positive integer. */
export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new StoryloomError('invalid_input', `the batch size must be a positive integer, got ${batchSize}`);
}

export function sqliteTables(stores: SqliteStores): TableAccess {
  const { db } = stores;
  /** The primary key's columns in key order; a table without one is paged by its rowid. */
  const keyOf = (table: string): string[] => {
    const columns = db.prepare(`PRAGMA table_info(${quoted(table)})`).all() as Array<{ name: string; pk: number }>;
    const key = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
    return key.length > 0 ? key.map((column) => column.name) : ['rowid'];
  };
  const tableNames = (): string[] =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((row) => row.name);
  return {
    async tables() {
      return new Map(
        tableNames().filter((name) => !SKIPPED.has(name)).map((name) => [name, (db.prepare(`PRAGMA table_info(${quoted(name)})`).all() as Array<{ name: string }>).map((column) => column.name)]),
      );
    },
    async references() {
      return new Map(tableNames().map((name) => [name, (db.prepare(`PRAGMA foreign_key_list(${quoted(name)})`).all() as Array<{ table: string }>).map((key) => key.table)]));
    },
    async count(table) {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${quoted(table)}`).get() as { n: number }).n;
    },
    reading(fn) {
      // A deferred transaction: its first read fixes the snapshot (WAL), which later pages keep seeing.
      return stores.exclusive(async () => {
        db.exec('BEGIN');
        try {
          return await fn((table, columns, batchSize) => {
            checkBatchSize(batchSize);
            const key = keyOf(table);
            return keysetPages(columns.length, key.length, batchSize, async (after, limit) =>
              statement(db, pageQuery(table, columns, key, after !== undefined, () => '?'))
                .raw()
                .all(...(after ?? []), limit) as unknown[][],
            );
          });
        } finally {
          if (db.inTransaction) db.exec('COMMIT'); // read only: nothing to keep or undo
        }
      });
    },
    async writing(fn, finalStatements) {
      await stores.transaction(async () => {
        await fn(async (table, columns, rows) => {
          const insert = statement(db, `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
          for (const row of rows) insert.run(...row);
        });
        for (const sql of finalStatements) db.exec(sql);
      });
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
    async references() {
      const { rows } = await pool.query<{ table_name: string; referenced: string }>(
        `SELECT c.relname AS table_name, r.relname AS referenced
           FROM pg_constraint k
           JOIN pg_class c ON c.oid = k.conrelid
           JOIN pg_class r ON r.oid = k.confrelid
          WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`,
      );
      const references = new Map<string, string[]>();
      for (const row of rows) references.set(row.table_name, [...(references.get(row.table_name) ?? []), row.referenced]);
      return references;
    },
    async count(table) {
      return (await pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${quoted(table)}`)).rows[0].n;
    },
    async reading(fn) {
      const client = await pool.connect();
      try {
        // REPEATABLE READ: every page of every table reads the same snapshot.
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const keys = await primaryKeys(client);
        const result = await fn((table, columns, batchSize) => {
          checkBatchSize(batchSize);
          // A table without a primary key is paged by its tuple id, which stays put while the snapshot is held.
          const key = keys.get(table) ?? [{ column: 'ctid', type: 'tid' }];
          const cast = (index: number, keyColumn?: number) => (keyColumn === undefined ? `$${index}` : `$${index}::${key[keyColumn].type}`);
          return keysetPages(columns.length, key.length, batchSize, async (after, limit) => {
            const text = pageQuery(table, columns, key.map((part) => part.column), after !== undefined, cast);
            return (await client.query({ text, values: [...(after ?? []), limit], rowMode: 'array' })).rows as unknown[][];
          });
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async writing(fn, finalStatements) {
      const client = await pool.connect();
      const filled = new Set<string>();
      try {
        await client.query('BEGIN');
        await fn(async (table, columns, rows) => {
          const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
          for (let start = 0; start < rows.length; start += perStatement) {
            const chunk = rows.slice(start, start + perStatement);
            const values = chunk.map((_row, r) => `(${columns.map((_column, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
            await client.query(`INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES ${values.join(', ')}`, chunk.flat());
          }
          if (rows.length > 0) filled.add(table);
        });
        for (const sql of finalStatements) await client.query(sql);
        // Rows keep their numbers: each serial column's sequence goes on after the highest one copied, or the
        // first row added after the copy (an audit entry, say) would take a number already used.
        const serials = await client.query<{ table_name: string; column_name: string }>(
          "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'",
        );
        for (const { table_name: table, column_name: column } of serials.rows) {
          if (!filled.has(table)) continue;
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

/** Each table's primary key columns in key order, with their types (the parameters of a row comparison need casts). */
async function primaryKeys(client: pg.PoolClient): Promise<Map<string, Array<{ column: string; type: string }>>> {
  const { rows } = await client.query<{ table_name: string; column_name: string; column_type: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace
      ORDER BY c.relname, k.position`,
  );
  const keys = new Map<string, Array<{ column: string; type: string }>>();
  for (const row of rows) keys.set(row.table_name, [...(keys.get(row.table_name) ?? []), { column: row.column_name, type: row.column_type }]);
  return keys;
}

/**
 * Copies every application table `from` has into `to`, batch by batch, in one write transaction on `to`
 * (which must hold no pipelines and no runs: a copy never merges into or overwrites a database in use).
 * Returns the rows copied per table.
 */
export async function copyTables(from: TableAccess, to: TableAccess, options: CopyOptions = {}): Promise<Record<string, number>> {
  const batchSize = options.batchSize ?? DEFAULT_COPY_BATCH_ROWS;
  checkBatchSize(batchSize);
  const [source, target, references] = await Promise.all([from.tables(), to.tables(), to.references()]);
  const plan: Array<{ table: string; columns: string[] }> = [];
  // The target checks its foreign keys as rows go in: a table's rows follow those of the tables it points at
  // (PostgreSQL lists tables by name, which would put user_tokens before users).
  for (const table of referencedFirst([...source.keys()], references)) {
    const targetColumns = target.get(table);
    if (targetColumns) plan.push({ table, columns: source.get(table)!.filter((column) => targetColumns.includes(column)) });
  }
  const counted = target.get('runs')?.includes('last_seq') ? [EVENT_COUNTER] : [];
  const copied: Record<string, number> = {};
  await from.reading((read) =>
    to.writing(async (insert) => {
      for (const { table, columns } of plan) {
        copied[table] = 0;
        for await (const rows of read(table, columns, batchSize)) {
          await insert(table, columns, rows);
          copied[table] += rows.length;
          options.onBatch?.(table, rows.length);
        }
      }
    }, counted),
  );
  return copied;
}

/** `tables` in their order, except that each comes after the tables it references (depth first; cycles left as found). */
function referencedFirst(tables: string[], references: Map<string, string[]>): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table) || visiting.has(table) || !tables.includes(table)) return;
    visiting.add(table);
    for (const referenced of references.get(table) ?? []) if (referenced !== table) visit(referenced);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}
