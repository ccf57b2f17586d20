// A new database starts with the shipped example pipelines, once: the seeding is recorded in `meta`, so a
// pipeline the user deleted does not come back on the next start, and one they already saved is not touched.
import { StoryloomError } from '../errors';
import type { SeedPipelinesResult, ShippedPipeline } from '../runner/engine';
import type { StoreSet, Stores } from './contract';
import { isDeepStrictEqual } from 'node:util';
import { nowIso } from './database';
import { validatePipeline } from '../pipeline/validate';

/** The `meta` key holding when the shipped pipelines were seeded into this database. */
export const SEEDED_KEY = 'shipped_pipelines_seeded_at';

export function seedPipelines(stores: Stores, shipped: readonly ShippedPipeline[]): Promise<SeedPipelinesResult> {
  // One exclusive transaction: two processes opening a new database at once seed it once between them.
  return stores.transaction(
    async (tx) => {
      const seededAt = await tx.meta.get(SEEDED_KEY);
      if (seededAt !== undefined) {
        await unpinOfflineCopies(tx, shipped);
        return { seededAt, alreadySeeded: true, created: [], existing: [], invalid: [] };
      }
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
      await tx.meta.set(UNPINNED_KEY, result.seededAt);
      return result;
    },
    { exclusiveKey: SEEDED_KEY },
  );
}

/** The `meta` key holding when seeded copies that still pinned the offline model were brought up to date. */
export const UNPINNED_KEY = 'shipped_pipelines_unpinned_at';

/**
 * Earlier releases shipped their pipelines with `"model": "offline"`, which beats STORYLOOM_MODEL; today's name
 * no model. A seeded copy nobody has changed since (it equals today's file with that pin) gets a new version
 * without it, once; a copy someone edited is theirs and is left alone.
 */
async function unpinOfflineCopies(tx: StoreSet, shipped: readonly ShippedPipeline[]): Promise<void> {
  if ((await tx.meta.get(UNPINNED_KEY)) !== undefined) return;

  for (const { document } of shipped) {
    const current = validatePipeline(document).pipeline;
    if (!current || current.model !== undefined) continue;
    const stored = await tx.pipelines.get(current.id);
    if (stored?.valid && isDeepStrictEqual(asJson(stored.pipeline), asJson({ ...current, model: 'offline' }))) {
      await tx.pipelines.save(current.id, current, stored.version);
    }
  }
  await tx.meta.set(UNPINNED_KEY, nowIso());
}

/** As stored and compared: keys holding `undefined` dropped. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
