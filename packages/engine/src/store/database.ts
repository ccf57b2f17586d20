// One SQLite file holds everything a run needs to survive a crash: pipelines, runs, their event logs,
// node outputs, approvals, and (in the same file, via LangGraph's SqliteSaver) the graph checkpoints.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pipelines (
  id TEXT PRIMARY KEY,
  latest_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pipeline_versions (
  pipeline_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  document TEXT NOT NULL,
  created_at TEXT NOT NULL,
  valid INTEGER NOT NULL DEFAULT 1,
  errors TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (pipeline_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL,
  version INTEGER,
  status TEXT NOT NULL,
  inputs TEXT NOT NULL,
  model TEXT,
  pipeline TEXT NOT NULL,
  auto_approve INTEGER NOT NULL DEFAULT 0,
  parent_run_id TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_host TEXT,
  lease_pid INTEGER,
  lease_expires INTEGER,
  lease_epoch INTEGER NOT NULL DEFAULT 0,
  lease_started TEXT,
  started_by TEXT,
  cancelled_by TEXT,
  budget TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline_id, created_at);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status);
CREATE TABLE IF NOT EXISTS run_events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  node_id TEXT,
  at TEXT NOT NULL,
  data TEXT NOT NULL,
  output_attempt INTEGER,
  actor TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID; -- run ids grow with time, so new events append at the end of the tree and pages stay full
CREATE TABLE IF NOT EXISTS node_outputs (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  source TEXT NOT NULL,
  output TEXT,
  ref_run_id TEXT,
  ref_attempt INTEGER,
  usage TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, node_id, attempt)
); -- a rowid table: its rows are large (whole outputs), which WITHOUT ROWID stores poorly
CREATE TABLE IF NOT EXISTS run_nodes (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempt INTEGER,
  error TEXT,
  usage TEXT,
  PRIMARY KEY (run_id, node_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS approvals (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  decision TEXT,
  requested_at TEXT NOT NULL,
  decided_at TEXT,
  applied INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, node_id, attempt)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals (status);
CREATE TABLE IF NOT EXISTS model_calls (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  call_key TEXT NOT NULL,
  reply TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, node_id, attempt, call_key)
) WITHOUT ROWID; -- completed model calls of nodes not finished yet: read back, never re-sent, after a crash
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS users_active_name ON users (name) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS user_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID; -- SHA-256 of each token: the token itself is shown once and never stored
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  pipeline_id TEXT,
  run_id TEXT,
  node_id TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_pipeline ON audit_log (pipeline_id, seq);
CREATE INDEX IF NOT EXISTS audit_by_run ON audit_log (run_id, seq);
CREATE TABLE IF NOT EXISTS node_attempts (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  model TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  calls INTEGER NOT NULL,
  cost_usd REAL,
  candidates INTEGER,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, node_id, seq)
) WITHOUT ROWID; -- every execution of a node and what it spent: a node's usage is their sum
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID; -- facts about the database itself (e.g. when the shipped pipelines were seeded)
CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id TEXT PRIMARY KEY,
  hook_id TEXT NOT NULL,
  event TEXT NOT NULL,
  run_id TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  log TEXT NOT NULL DEFAULT '[]',
  next_attempt_at INTEGER,
  locked_by TEXT,
  locked_until INTEGER,
  created_at TEXT NOT NULL,
  delivered_at TEXT
); -- the outbox: written with the event that causes it, so a delivery survives any restart
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_hook ON webhook_deliveries (hook_id, created_at);
CREATE TABLE IF NOT EXISTS comments (
  id TEXT PRIMARY KEY,
  thread_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  attempt INTEGER,
  scene INTEGER,
  field TEXT,
  status TEXT,
  body TEXT NOT NULL,
  author TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT
); -- review threads on node outputs: a thread's first comment carries its node, anchor and status
CREATE INDEX IF NOT EXISTS comments_by_run ON comments (run_id, created_at);
`;

/** Opens (creating folder and file if missing) the database in WAL mode with a busy timeout for multi-process use. */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  addMissingColumns(db);
  return db;
}

/**
 * Columns added after the first release: a database created before them gets them (old versions were all
 * valid; a lease taken before start times were recorded has none, and is judged by its pid and expiry).
 */
const ADDED_COLUMNS: Array<{ table: string; column: string; definition: string }> = [
  { table: 'pipeline_versions', column: 'valid', definition: 'INTEGER NOT NULL DEFAULT 1' },
  { table: 'pipeline_versions', column: 'errors', definition: "TEXT NOT NULL DEFAULT '[]'" },
  { table: 'runs', column: 'lease_epoch', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'runs', column: 'lease_started', definition: 'TEXT' },
  { table: 'runs', column: 'started_by', definition: 'TEXT' },
  { table: 'runs', column: 'cancelled_by', definition: 'TEXT' },
  { table: 'run_events', column: 'actor', definition: 'TEXT' },
  { table: 'runs', column: 'budget', definition: 'TEXT' },
];

function addMissingColumns(db: SqliteDatabase): void {
  const missing = () =>
    ADDED_COLUMNS.filter(({ table, column }) => !(db.pragma(`table_info(${table})`) as Array<{ name: string }>).some((c) => c.name === column));
  if (missing().length === 0) return;
  // Checked again under the write lock: another process opening the same file may have just added them.
  writeTransaction(db, () => {
    for (const { table, column, definition } of missing()) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  });
}

/** A write transaction that takes the write lock up front, so two processes never deadlock on an upgrade. */
export function writeTransaction<T>(db: SqliteDatabase, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function parseJson<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined ? undefined : (JSON.parse(text) as T);
}

const statementCache = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection: preparing is the costliest part of a small query. */
export function statement(db: SqliteDatabase, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared;
}
