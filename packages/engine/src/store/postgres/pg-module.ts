// node-postgres, loaded when a PostgreSQL store is first opened: commands that never touch PostgreSQL (validate,
// any SQLite run) start without reading it.
import type pg from 'pg';

export function loadPg(): typeof pg {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pg') as typeof pg;
}
