// Migration 5: webhooks with their delivery outbox (times in ms as BIGINT), and review comment threads.
export const sql = `
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT
);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  hook_id TEXT NOT NULL,
  event TEXT NOT NULL,
  run_id TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  log TEXT NOT NULL DEFAULT '[]',
  next_attempt_at BIGINT,
  locked_by TEXT,
  locked_until BIGINT,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (hook_id, created_at);
CREATE TABLE comments (
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
);
CREATE INDEX comments_by_run ON comments (run_id, created_at);
`;
