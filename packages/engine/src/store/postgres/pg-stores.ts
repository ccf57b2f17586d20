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
  const notifications = new PgNotifications({ connectionString: databaseUrl });

  const transaction = async <T>(fn: (db: Queryable) => Promise<T>, transactionOptions: TransactionOptions = {}): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        if (transactionOptions.exclusiveKey) await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [transactionOptions.exclusiveKey]);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has((error as { code?: string }).code ?? '')) continue;
        throw error;
      } finally {
        client.release(broken);
      }
    }
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
    ...storeSet(pool, inPool),
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
