// A new database starts with the shipped example pipelines, once: the seeding is recorded in `meta`, so a
// pipeline the user deleted does not come back on the next start, and one they already saved is not touched.
import { StoryloomError } from '../errors';
import type { SeedPipelinesResult, ShippedPipeline } from '../runner/engine';
import type { Stores } from './contract';
import { nowIso } from './database';

/** The `meta` key holding when the shipped pipelines were seeded into this database. */
export const SEEDED_KEY = 'shipped_pipelines_seeded_at';

export function seedPipelines(stores: Stores, shipped: readonly ShippedPipeline[]): Promise<SeedPipelinesResult> {
  // One exclusive transaction: two processes opening a new database at once seed it once between them.
  return stores.transaction(
    async (tx) => {
      const seededAt = await tx.meta.get(SEEDED_KEY);
      if (seededAt !== undefined) return { seededAt, alreadySeeded: true, created: [], existing: [], invalid: [] };
      const result: SeedPipelinesResult = { seededAt: nowIso(), alreadySeeded: false, created: [], existing: [], invalid: [] };
      for (const { source, document } of shipped) {
        const id = (document as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && (await tx.pipelines.get(id))) {
          result.existing.push(id);
          continue;
        }
        try {
          result.created.push((await tx.pipelines.create(document)).id);
        } catch (error) {
          // A broken example must not stop the server: it is reported and the others are still seeded.
          if (!(error instanceof StoryloomError)) throw error;
          result.invalid.push({ source, reason: error.message });
        }
      }
      await tx.meta.set(SEEDED_KEY, result.seededAt);
      return result;
    },
    { exclusiveKey: SEEDED_KEY },
  );
}
