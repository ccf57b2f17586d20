// Migration 6: every execution of a node with its tokens and cost (a node's usage is their sum), and the budget
// a run may spend (JSON `{ maxTokens?, maxCostUsd? }`; NULL: none, or let go on past it by a person).
export const sql = `
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
  cost_usd DOUBLE PRECISION,
  candidates INTEGER,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, node_id, seq)
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS budget TEXT;
`;
