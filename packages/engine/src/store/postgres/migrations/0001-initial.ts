// Migration 1: the tables of the embedded SQLite schema, with the same column types, so rows read the same.
export const sql = `
CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  latest_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE pipeline_versions (
  pipeline_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  document TEXT NOT NULL,
  created_at TEXT NOT NULL,
  valid INTEGER NOT NULL DEFAULT 1,
  errors TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (pipeline_id, version)
);
CREATE TABLE runs (
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
  lease_expires BIGINT,
  lease_epoch INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_pipeline ON runs (pipeline_id, created_at);
CREATE INDEX runs_by_status ON runs (status);
CREATE TABLE run_events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  node_id TEXT,
  at TEXT NOT NULL,
  data TEXT NOT NULL,
  output_attempt INTEGER,
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE node_outputs (
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
);
CREATE TABLE run_nodes (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempt INTEGER,
  error TEXT,
  usage TEXT,
  PRIMARY KEY (run_id, node_id)
);
CREATE TABLE approvals (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  decision TEXT,
  requested_at TEXT NOT NULL,
  decided_at TEXT,
  applied INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, node_id, attempt)
);
CREATE INDEX approvals_by_status ON approvals (status);
CREATE TABLE model_calls (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  call_key TEXT NOT NULL,
  reply TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, node_id, attempt, call_key)
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
