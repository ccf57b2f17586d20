// migrateDatabase on real databases: a SQLite file with thousands of events across several runs goes to a fresh
// PostgreSQL database and back to a new SQLite file, every row equal on each side, read and written a batch at
// a time (a table without a primary key too); a copy that fails half way leaves the target empty (no tables'
// rows, no checkpoints), so it can be run again once the cause is fixed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import pg from 'pg';
import { migrateDatabase } from '../../src/runner/migrate-database';
import { openSqliteStoreSet, type SqliteStoreSet } from '../../src/store';
import type { Pipeline } from '../../src/pipeline/schema';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';

const RUNS = 6;
const EVENTS_PER_RUN = 600;
const pipeline: Pipeline = { format: 'storyloom/pipeline@1', id: 'tale', name: 'Tale', nodes: [], edges: [] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'storyloom-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A SQLite file with a pipeline of two versions, a user with a token, an audit entry, and RUNS runs of EVENTS_PER_RUN events. */
function seedSqlite(dbPath: string): SqliteStoreSet {
  const stores = openSqliteStoreSet(dbPath);
  stores.pipelines.create(pipeline);
  stores.pipelines.save('tale', { ...pipeline, name: 'Tale, again' }, 1);
  const user = stores.users.add({ id: 'user-1', name: 'ana', role: 'editor' });
  stores.users.addToken(user.id, 'a'.repeat(64));
  const actor = { id: user.id, name: user.name, role: user.role };
  stores.audit.record({ action: 'pipeline.created', actor, pipelineId: 'tale', detail: { version: 1 } });
  stores.db.exec(NOTES_TABLE);
  stores.db.transaction(() => {
    for (let note = 0; note < NOTES; note += 1) stores.db.prepare('INSERT INTO notes (body) VALUES (?)').run(`note ${String(note).padStart(4, '0')}`);
    for (let run = 0; run < RUNS; run += 1) {
      const runId = `run-${run}`;
      stores.runs.insert({ id: runId, pipelineId: 'tale', version: 1 + (run % 2), inputs: { premise: `premise ${run}` }, pipeline, autoApprove: false, startedBy: actor });
      for (let i = 0; i < EVENTS_PER_RUN; i += 1) stores.events.append(runId, { type: 'node.token', nodeId: `node-${i % 7}`, data: { text: `token ${run}.${i} ` } });
    }
  })();
  return stores;
}

/** Puts one checkpoint for `runId` (a run not finished keeps its graph's checkpoints; migrate carries them). */
async function putCheckpoint(stores: SqliteStoreSet, runId: string): Promise<void> {
  const saver = new SqliteSaver(stores.db);
  await saver.put({ configurable: { thread_id: runId, checkpoint_ns: '' } }, { ...emptyCheckpoint(), channel_values: { premise: 'kept' }, channel_versions: { premise: 1 } }, { source: 'input', step: -1, parents: {} });
}

/** Tables compared, each with its primary key (its rows are listed in that order). */
const TABLES: Record<string, string> = {
  pipelines: 'id',
  pipeline_versions: 'pipeline_id, version',
  runs: 'id',
  run_events: 'run_id, seq',
  users: 'id',
  user_tokens: 'token_hash',
  audit_log: 'seq',
  notes: 'body',
};

/**
 * A table of a later version that has no primary key: copied when both sides have it, paged by SQLite's rowid
 * and PostgreSQL's tuple id instead.
 */
const NOTES_TABLE = 'CREATE TABLE notes (body TEXT)';
const NOTES = 1_000;

/** Every row of `table` (the columns both sides have), values as text: SQLite and PostgreSQL agree on those. */
type Dump = Record<string, string[][]>;
const asText = (rows: unknown[][]) => rows.map((row) => row.map((value) => (value === null ? 'NULL' : String(value))));

function dumpSqlite(stores: SqliteStoreSet, columnsOf: (table: string) => string[]): Dump {
  return Object.fromEntries(
    Object.entries(TABLES).map(([table, key]) => [table, asText(stores.db.prepare(`SELECT ${columnsOf(table).join(', ')} FROM ${table} ORDER BY ${key}`).raw().all() as unknown[][])]),
  );
}

async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function pgColumns(client: pg.Client): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position',
  );
  const columns = new Map<string, string[]>();
  for (const row of rows) columns.set(row.table_name, [...(columns.get(row.table_name) ?? []), row.column_name]);
  return columns;
}

async function dumpPg(client: pg.Client, columnsOf: (table: string) => string[]): Promise<Dump> {
  const dump: Dump = {};
  for (const [table, key] of Object.entries(TABLES)) {
    dump[table] = asText((await client.query({ text: `SELECT ${columnsOf(table).join(', ')} FROM ${table} ORDER BY ${key}`, rowMode: 'array' })).rows);
  }
  return dump;
}

/** The columns of `table` that both the SQLite file and PostgreSQL have (PostgreSQL has a few of its own). */
function sharedColumns(stores: SqliteStoreSet, pgTables: Map<string, string[]>): (table: string) => string[] {
  return (table) => (stores.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((column) => column.name).filter((name) => pgTables.get(table)?.includes(name));
}

describe('migrateDatabase', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('copies thousands of events to PostgreSQL and back in batches of the size given, every row equal', async () => {
    const sourcePath = join(dir, 'source.db');
    const source = seedSqlite(sourcePath);
    await putCheckpoint(source, 'run-0');

    await withPg(database.url, (client) => client.query(NOTES_TABLE));

    const batches: Array<[string, number]> = [];
    const there = await migrateDatabase({ dbPath: sourcePath }, { databaseUrl: database.url }, { batchSize: 250, onBatch: (table, rows) => batches.push([table, rows]) });
    expect(there.rows).toMatchObject({ pipelines: 1, pipeline_versions: 2, runs: RUNS, run_events: RUNS * EVENTS_PER_RUN, users: 1, user_tokens: 1, audit_log: 1, notes: NOTES });
    expect(there.checkpoints).toBe(1);

    // 3,600 events read as 14 batches of 250 and one of 100, never all at once.
    const eventBatches = batches.filter(([table]) => table === 'run_events').map(([, rows]) => rows);
    expect(eventBatches).toEqual([...Array<number>(14).fill(250), 100]);
    expect(Math.max(...batches.map(([, rows]) => rows))).toBeLessThanOrEqual(250);

    await withPg(database.url, async (client) => {
      const columnsOf = sharedColumns(source, await pgColumns(client));
      const expected = dumpSqlite(source, columnsOf);
      expect(expected.run_events).toHaveLength(RUNS * EVENTS_PER_RUN);
      expect(await dumpPg(client, columnsOf)).toEqual(expected);
      // PostgreSQL's per-run event counter goes on from the copied log.
      const counters = await client.query<{ last_seq: number }>('SELECT DISTINCT last_seq FROM runs');
      expect(counters.rows.map((row) => Number(row.last_seq))).toEqual([EVENTS_PER_RUN]);
    });

    // And back, from PostgreSQL's snapshot in batches of 100, to a new SQLite file.
    const backPath = join(dir, 'back.db');
    const prepared = openSqliteStoreSet(backPath);
    prepared.db.exec(NOTES_TABLE);
    prepared.db.close();
    const backBatches: number[] = [];
    const back = await migrateDatabase({ databaseUrl: database.url }, { dbPath: backPath }, { batchSize: 100, onBatch: (table, rows) => table === 'run_events' && backBatches.push(rows) });
    expect([back.rows.run_events, back.rows.notes]).toEqual([RUNS * EVENTS_PER_RUN, NOTES]);
    expect(back.checkpoints).toBe(1);
    expect(backBatches).toEqual(Array<number>(36).fill(100));
    const returned = openSqliteStoreSet(backPath);
    try {
      const columnsOf = (table: string) => (source.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((column) => column.name);
      expect(dumpSqlite(returned, columnsOf)).toEqual(dumpSqlite(source, columnsOf));
      const checkpoint = await new SqliteSaver(returned.db).getTuple({ configurable: { thread_id: 'run-0', checkpoint_ns: '' } });
      expect(checkpoint?.checkpoint.channel_values).toEqual({ premise: 'kept' });
    } finally {
      returned.db.close();
      source.db.close();
    }
  }, 120_000);

  it('copies from one PostgreSQL database to another, tables that others point at first (users before their tokens)', async () => {
    const sourcePath = join(dir, 'source.db');
    const source = seedSqlite(sourcePath);
    await withPg(database.url, (client) => client.query(NOTES_TABLE));
    await migrateDatabase({ dbPath: sourcePath }, { databaseUrl: database.url });
    const second = await createTestDatabase();
    try {
      await withPg(second.url, (client) => client.query(NOTES_TABLE));
      const copied = await migrateDatabase({ databaseUrl: database.url }, { databaseUrl: second.url });
      expect(copied.rows).toMatchObject({ users: 1, user_tokens: 1, runs: RUNS, run_events: RUNS * EVENTS_PER_RUN });
      const columnsOf = await withPg(database.url, async (client) => {
        const columns = await pgColumns(client);
        return (table: string) => columns.get(table) ?? [];
      });
      const original = await withPg(database.url, (client) => dumpPg(client, columnsOf));
      expect(await withPg(second.url, (client) => dumpPg(client, columnsOf))).toEqual(original);
    } finally {
      source.db.close();
      await second.drop();
    }
  }, 120_000);

  it('leaves the target as it was when the copy fails half way, and copies once the cause is fixed', async () => {
    const sourcePath = join(dir, 'source.db');
    const source = seedSqlite(sourcePath);
    await putCheckpoint(source, 'run-3');
    // SQLite keeps a seq that is not a number (it sorts after the numbers, so it is read last); PostgreSQL refuses it.
    source.db
      .prepare("INSERT INTO run_events (run_id, seq, type, at, data) VALUES ('run-5', 'not a number', 'node.token', '2026-01-01T00:00:00.000Z', '{}')")
      .run();
    await withPg(database.url, (client) => client.query(NOTES_TABLE));

    const batches: Array<[string, number]> = [];
    await expect(migrateDatabase({ dbPath: sourcePath }, { databaseUrl: database.url }, { batchSize: 250, onBatch: (table, rows) => batches.push([table, rows]) })).rejects.toThrow(
      /invalid input syntax for type integer/,
    );
    // It failed after several batches had gone into the target's transaction, tables before run_events too...
    expect(batches.filter(([table]) => table === 'run_events').length).toBeGreaterThan(10);
    expect(batches.some(([table]) => table === 'runs')).toBe(true);
    // ...and none of it stayed: no rows, and the checkpoint written before the tables was taken back.
    await withPg(database.url, async (client) => {
      for (const table of [...Object.keys(TABLES), 'checkpoints', 'checkpoint_blobs']) {
        expect([table, (await client.query(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows[0].n]).toEqual([table, 0]);
      }
    });

    source.db.prepare("DELETE FROM run_events WHERE seq = 'not a number'").run();
    source.db.close();
    const again = await migrateDatabase({ dbPath: sourcePath }, { databaseUrl: database.url });
    expect([again.rows.run_events, again.rows.runs, again.checkpoints]).toEqual([RUNS * EVENTS_PER_RUN, RUNS, 1]);
  }, 120_000);

  it('refuses a batch size that is not a positive integer, writing nothing', async () => {
    const sourcePath = join(dir, 'source.db');
    seedSqlite(sourcePath).db.close();
    for (const batchSize of [0, -5, 2.5]) {
      await expect(migrateDatabase({ dbPath: sourcePath }, { databaseUrl: database.url }, { batchSize })).rejects.toThrow(`the batch size must be a positive integer, got ${batchSize}`);
    }
    await withPg(database.url, async (client) => {
      expect((await client.query('SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()')).rows[0].n).toBe(0);
    });
  });
});
