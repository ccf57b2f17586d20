// The embedded store: one SQLite file through better-sqlite3, behind the async store interface. Calls stay
// synchronous underneath (no extra round trip: a resolved promise around each call). A transaction takes
// SQLite's write lock up front (BEGIN IMMEDIATE) and, while its callback awaits, holds back this process's
// other calls on the connection, so nothing unrelated joins it or sees it half done. Transactions asked for
// in the same turn of the event loop share one commit (group-commit.ts).
import { resolve } from 'node:path';
import { ApprovalStore } from './approval-store';
import { AuditStore } from './audit-store';
import { CommentStore } from './comment-store';
import { AttemptStore } from './attempt-store';
import type { StoreSet, Stores } from './contract';
import { openDatabase, type SqliteDatabase } from './database';
import { EventStore } from './event-store';
import { GroupCommit } from './group-commit';
import { MetaStore } from './meta-store';
import { ModelCallStore } from './model-call-store';
import { NodeStateStore } from './node-state-store';
import { OutputStore } from './output-store';
import { SqlitePipelineStore } from './pipeline-store';
import { RunStore } from './run-store';
import { UserStore } from './user-store';
import { outboxAppendsInTransactions, withWebhookOutbox } from './webhook-outbox';
import { WebhookStore } from './webhook-store';

/** The synchronous SQLite stores on one connection (also used directly by tests and the migrate tool). */
export interface SqliteStoreSet {
  db: SqliteDatabase;
  pipelines: SqlitePipelineStore;
  runs: RunStore;
  events: EventStore;
  outputs: OutputStore;
  nodes: NodeStateStore;
  approvals: ApprovalStore;
  modelCalls: ModelCallStore;
  attempts: AttemptStore;
  meta: MetaStore;
  users: UserStore;
  audit: AuditStore;
  webhooks: WebhookStore;
  comments: CommentStore;
}

export function openSqliteStoreSet(dbPath: string): SqliteStoreSet {
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
    modelCalls: new ModelCallStore(db),
    attempts: new AttemptStore(db),
    meta: new MetaStore(db),
    users: new UserStore(db),
    audit: new AuditStore(db),
    webhooks: new WebhookStore(db),
    comments: new CommentStore(db),
  };
}

/** Holds this process's calls back while one of its transactions is open on the shared connection. */
class TransactionGate {
  private open: Promise<void> | undefined;

  /** Runs `fn` now, or once the open transaction has ended (checked and run in one synchronous step). */
  async run<R>(fn: () => R): Promise<R> {
    while (this.open) await this.open;
    return fn();
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.open) await this.open;
    let release!: () => void;
    this.open = new Promise<void>((resolve) => (release = resolve));
    try {
      return await fn();
    } finally {
      this.open = undefined;
      release();
    }
  }
}

type Asynced<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

/** The object's methods as async functions, run through the gate (outside transactions) or directly (inside one). */
function asynced<T extends object>(target: T, gate: TransactionGate | undefined): Asynced<T> {
  const view: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
    const method = (target as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof method !== 'function') continue;
    const call = (...args: unknown[]) => method.apply(target, args);
    view[name] = gate
      ? (...args: unknown[]) => gate.run(() => call(...args))
      : (...args: unknown[]) => {
          try {
            return Promise.resolve(call(...args));
          } catch (error) {
            return Promise.reject(error);
          }
        };
  }
  return view as Asynced<T>;
}

function storeSet(sync: SqliteStoreSet, gate: TransactionGate | undefined): StoreSet {
  const webhooks = asynced(sync.webhooks, gate);
  return {
    pipelines: asynced(sync.pipelines, gate),
    runs: asynced(sync.runs, gate),
    events: withWebhookOutbox(asynced(sync.events, gate), webhooks),
    outputs: asynced(sync.outputs, gate),
    nodes: asynced(sync.nodes, gate),
    approvals: asynced(sync.approvals, gate),
    modelCalls: asynced(sync.modelCalls, gate),
    attempts: asynced(sync.attempts, gate),
    meta: asynced(sync.meta, gate),
    users: asynced(sync.users, gate),
    audit: asynced(sync.audit, gate),
    webhooks,
    comments: asynced(sync.comments, gate),
  };
}

export interface SqliteStores extends Stores {
  readonly kind: 'sqlite';
  /** The connection, shared with LangGraph's SqliteSaver. */
  readonly db: SqliteDatabase;
  /**
   * Runs `fn` while no transaction of this process is open on the file, holding others back until it ends
   * (LangGraph's checkpointer writes through this: see the gate below).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * One gate per database file in this process, shared by every connection to it: a transaction holds the
 * file's write lock across awaits, and another connection of the same process writing meanwhile would wait
 * for that lock synchronously (busy timeout), blocking the very event loop the transaction needs to finish.
 */
const gates = new Map<string, { gate: TransactionGate; users: number }>();

function gateFor(dbPath: string): { gate: TransactionGate; release: () => void } {
  if (dbPath === ':memory:') return { gate: new TransactionGate(), release: () => undefined };
  const key = resolve(dbPath);
  let entry = gates.get(key);
  if (!entry) {
    entry = { gate: new TransactionGate(), users: 0 };
    gates.set(key, entry);
  }
  entry.users += 1;
  const held = entry;
  return {
    gate: held.gate,
    release: () => {
      held.users -= 1;
      if (held.users === 0 && gates.get(key) === held) gates.delete(key);
    },
  };
}

export function openSqliteStores(dbPath: string): SqliteStores {
  const sync = openSqliteStoreSet(dbPath);
  const { gate, release } = gateFor(dbPath);
  const inside = storeSet(sync, undefined);
  const commits = new GroupCommit(sync.db, (fn) => gate.exclusive(fn));
  return outboxAppendsInTransactions({
    kind: 'sqlite',
    db: sync.db,
    ...storeSet(sync, gate),
    transaction: (fn) => commits.transaction(() => fn(inside)),
    onAppend: (listener) => sync.events.onAppend(listener),
    onCancel: () => () => undefined, // the driving process polls the flag: SQLite runs are all on this machine
    ping: () => gate.run(() => void sync.db.prepare('SELECT 1').get()),
    exclusive: (fn) => gate.exclusive(fn),
    close: async () => {
      await gate.run(() => sync.db.close());
      release();
    },
  });
}
