// LangGraph's checkpoint saver for a store: SqliteSaver on the embedded file (gated with the store's own
// calls), PostgresSaver on PostgreSQL (riding out a restart). Loaded on first use: LangGraph is most of the
// engine's load time.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { PgStores, SqliteStores, StoreLocation, Stores } from '../store';
import { openStores } from '../store';

/* eslint-disable @typescript-eslint/no-require-imports */
export const sqliteSaver = () => require('./sqlite-checkpointer') as typeof import('./sqlite-checkpointer');
const postgresSaver = () => require('./pg-checkpointer') as typeof import('./pg-checkpointer');
/* eslint-enable @typescript-eslint/no-require-imports */

export function checkpointSaverFor(stores: Stores): BaseCheckpointSaver {
  return stores.kind === 'postgres'
    ? new (postgresSaver().OutageTolerantPostgresSaver)((stores as PgStores).pool)
    : new (sqliteSaver().GatedSqliteSaver)(stores as SqliteStores);
}

/** Opens the stores at `location`, migrating the schema and (PostgreSQL) setting up the checkpoint tables. */
export function openStoresWithCheckpoints(location: StoreLocation): Promise<Stores> {
  return openStores(location, { setupCheckpoints: (pool) => new (postgresSaver().OutageTolerantPostgresSaver)(pool).setup() });
}
