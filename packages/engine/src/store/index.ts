// The SQLite stores behind a Storyloom instance, opened together on one connection.
import { ApprovalStore } from './approval-store';
import { openDatabase, type SqliteDatabase } from './database';
import { EventStore } from './event-store';
import { MetaStore } from './meta-store';
import { NodeStateStore } from './node-state-store';
import { OutputStore } from './output-store';
import { SqlitePipelineStore } from './pipeline-store';
import { RunStore } from './run-store';

export interface Stores {
  db: SqliteDatabase;
  pipelines: SqlitePipelineStore;
  runs: RunStore;
  events: EventStore;
  outputs: OutputStore;
  nodes: NodeStateStore;
  approvals: ApprovalStore;
  meta: MetaStore;
}

export function openStores(dbPath: string): Stores {
  const db = openDatabase(dbPath);
  const outputs = new OutputStore(db);
  return {
    db,
    pipelines: new SqlitePipelineStore(db),
    runs: new RunStore(db),
    events: new EventStore(db, outputs),
    outputs,
    nodes: new NodeStateStore(db),
    approvals: new ApprovalStore(db),
    meta: new MetaStore(db),
  };
}

export { openDatabase, writeTransaction, type SqliteDatabase } from './database';
export type { RunRecord } from './run-store';
export type { StoredOutput, OutputSource } from './output-store';
export type { ApprovalRecord } from './approval-store';
