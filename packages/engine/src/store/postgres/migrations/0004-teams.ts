// Migration 4: users with roles and hashed API tokens, who started or cancelled a run, who caused an event,
// and the audit list of who did what to a pipeline or a run. Written to apply to a database that already has
// some of it (a test rolls the recorded version back), like every later migration should.
export const sql = `
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
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
  seq BIGSERIAL PRIMARY KEY,
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
ALTER TABLE runs ADD COLUMN IF NOT EXISTS started_by TEXT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS cancelled_by TEXT;
ALTER TABLE run_events ADD COLUMN IF NOT EXISTS actor TEXT;
`;
