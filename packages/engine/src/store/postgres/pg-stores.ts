// The PostgreSQL store: every durable thing in one database shared by any number of servers and workers.
// Opening it migrates the schema (under an advisory lock) and sets up LangGraph's checkpoint tables.
import type pg from 'pg';
import { loadPg } from './pg-module';
import type { StoreSet, Stores, TransactionOptions } from '../contract';
import { migrateSchema } from './migrate-schema';
import { outboxAppendsInTransactions, withWebhookOutbox } from '../webhook-outbox';
import { PgApprovalStore } from './pg-approval-store';
import { PgCommentStore } from './pg-comment-store';
import { PgAttemptStore } from './pg-attempt-store';
import { EVENTS_CHANNEL, PgEventStore } from './pg-event-store';
import { PgNodeStateStore } from './pg-node-state-store';
import { PgNotifications } from './pg-notifications';
import { PgOutputStore } from './pg-output-store';
import { type InTransaction, PgPipelineStore } from './pg-pipeline-store';
import { PgRunStore } from './pg-run-store';
import { PgMetaStore, PgModelCallStore } from './pg-small-stores';
import { PgAuditStore, PgUserStore } from './pg-team-stores';
import { PgWebhookStore } from './pg-webhook-store';
import type { Queryable } from './queryable';
import { retryWhileUnreachable } from '../unreachable';
import { outageTolerantPool } from './outage-tolerant-pool';

/** The channel a cancel request is announced on; the payload is the run id. */
export const CANCEL_CHANNEL = 'storyloom_cancel';

/** Deadlocks and serialization failures: the transaction is retried from the start. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

export interface PgStores extends Stores {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
}

export interface OpenPgStoresOptions {
  /** Size of the connection pool (default 10). */
  poolSize?: number;
  /** Called once the schema is current, still under the migration lock (LangGraph's checkpoint tables). */
  setupCheckpoints?: (pool: pg.Pool) => Promise<void>;
  onError?: (error: Error) => void;
}

function storeSet(db: Queryable, inTransaction: InTransaction): StoreSet {
  const webhooks = new PgWebhookStore(db);
  return {
    pipelines: new PgPipelineStore(db, inTransaction),
    runs: new PgRunStore(db, inTransaction),
    events: withWebhookOutbox(new PgEventStore(db), webhooks),
    outputs: new PgOutputStore(db),
    nodes: new PgNodeStateStore(db),
    approvals: new PgApprovalStore(db),
    modelCalls: new PgModelCallStore(db),
    attempts: new PgAttemptStore(db),
    meta: new PgMetaStore(db),
    users: new PgUserStore(db),
    audit: new PgAuditStore(db),
    webhooks,
    comments: new PgCommentStore(db),
  };
}

/** Integers come back as numbers (COUNT(*) and BIGINT lease expiries are int8, which pg returns as strings). */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === loadPg().types.builtins.INT8 ? (value: string) => Number(value) : loadPg().types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export async function openPgStores(databaseUrl: string, options: OpenPgStoresOptions = {}): Promise<PgStores> {
  const pool = new (loadPg().Pool)({ connectionString: databaseUrl, max: options.poolSize ?? 10, types });
  // An idle connection dropped by the server (a restart) must not crash the process: the pool replaces it.
  pool.on('error', (error) => options.onError?.(error));
  // A connection that drops while a client is checked out between two statements must not crash the process
  // either: the client's next statement fails (and is retried or reported) and the pool discards it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const notifications = new PgNotifications({ connectionString: databaseUrl });

  // A transaction that lost its connection before COMMIT went out took its work with it: it is run again once
  // the database is back. Lost during COMMIT, it may have committed: it fails as unreachable and the caller decides.
  const transaction = async <T>(fn: (db: Queryable) => Promise<T>, transactionOptions: TransactionOptions = {}): Promise<T> => {
    let conflicts = 0;
    let committing = false;
    const attempt = async (): Promise<T> => {
      for (;;) {
        let client: pg.PoolClient | undefined;
        let broken: Error | undefined;
        committing = false;
        try {
          client = await pool.connect();
          await client.query('BEGIN');
          if (transactionOptions.exclusiveKey) await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [transactionOptions.exclusiveKey]);
          const result = await fn(client);
          committing = true;
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client?.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
          client?.release(broken);
          client = undefined;
          if (RETRYABLE.has((error as { code?: string }).code ?? '') && ++conflicts < MAX_ATTEMPTS) continue;
          throw error;
        } finally {
          client?.release(broken);
        }
      }
    };
    return retryWhileUnreachable(attempt, () => !committing);
  };
  const inPool: InTransaction = (fn) => transaction(fn);
  const inClient = (client: Queryable): InTransaction => (fn) => fn(client);

  try {
    await migrateSchema(pool, () => options.setupCheckpoints?.(pool) ?? Promise.resolve());
  } catch (error) {
    await pool.end();
    throw error;
  }

  return outboxAppendsInTransactions({
    kind: 'postgres',
    pool,
    // Statements outside a transaction ride out a restart too, where running them again is safe.
    ...storeSet(outageTolerantPool(pool), inPool),
    transaction: (fn, transactionOptions) => transaction((client) => fn(storeSet(client, inClient(client))), transactionOptions),
    onAppend: (listener) => notifications.on(EVENTS_CHANNEL, listener),
    onCancel: (listener) => notifications.on(CANCEL_CHANNEL, listener),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      await notifications.close();
      await pool.end();
    },
  });
}
