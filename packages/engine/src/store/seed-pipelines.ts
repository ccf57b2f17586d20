// A new database starts with the shipped example pipelines, once: the seeding is recorded in `meta`, so a
// pipeline the user deleted does not come back on the next start, and one they already saved is not touched.
import { StoryloomError } from '../errors';
import type { SeedPipelinesResult, ShippedPipeline } from '../runner/engine';
import { nowIso, writeTransaction, type SqliteDatabase } from './database';
import type { MetaStore } from './meta-store';
import type { SqlitePipelineStore } from './pipeline-store';

/** The `meta` key holding when the shipped pipelines were seeded into this database. */
export const SEEDED_KEY = 'shipped_pipelines_seeded_at';

export function seedPipelines(
  db: SqliteDatabase,
  stores: { pipelines: SqlitePipelineStore; meta: MetaStore },
  shipped: readonly ShippedPipeline[],
): SeedPipelinesResult {
  // One write transaction: two processes opening a new database at once seed it once between them.
  return writeTransaction(db, () => {
    const seededAt = stores.meta.get(SEEDED_KEY);
    if (seededAt !== undefined) return { seededAt, alreadySeeded: true, created: [], existing: [], invalid: [] };
    const result: SeedPipelinesResult = { seededAt: nowIso(), alreadySeeded: false, created: [], existing: [], invalid: [] };
    for (const { source, document } of shipped) {
      const id = (document as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && stores.pipelines.get(id)) {
        result.existing.push(id);
        continue;
      }
      try {
        result.created.push(stores.pipelines.create(document).id);
      } catch (error) {
        // A broken example must not stop the server: it is reported and the others are still seeded.
        if (!(error instanceof StoryloomError)) throw error;
        result.invalid.push({ source, reason: error.message });
      }
    }
    stores.meta.set(SEEDED_KEY, result.seededAt);
    return result;
  });
}
