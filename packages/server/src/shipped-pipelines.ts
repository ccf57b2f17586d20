// The example pipelines shipped in the repository's `pipelines/` folder: what a new database is seeded with
// (`startServer`) and what `storyloom run <id>` falls back to when the database has no pipeline of that id.
import fs from 'node:fs';
import path from 'node:path';
import type { ShippedPipeline } from '@storyloom/engine/node';

/** `pipelines/` at the repository root, three levels up from both `src/` and `dist/` of this package. */
export const DEFAULT_PIPELINES_DIR = path.resolve(__dirname, '..', '..', '..', 'pipelines');

/**
 * Where the shipped pipelines are: STORYLOOM_PIPELINES_DIR if set (an empty value means none), else the
 * repository's `pipelines/`. `undefined` when there are none to use.
 */
export function shippedPipelinesDir(env: NodeJS.ProcessEnv): string | undefined {
  const chosen = env.STORYLOOM_PIPELINES_DIR;
  if (chosen === undefined) return DEFAULT_PIPELINES_DIR;
  return chosen.trim() === '' ? undefined : path.resolve(chosen);
}

export interface ShippedPipelineFiles {
  pipelines: ShippedPipeline[];
  /** Files that could not be read or are not JSON: `file: reason`. */
  unreadable: string[];
}

/** Every `*.json` in `dir`, in name order. A missing folder is simply no pipelines. */
export function readShippedPipelines(dir: string | undefined): ShippedPipelineFiles {
  const found: ShippedPipelineFiles = { pipelines: [], unreadable: [] };
  if (dir === undefined || !fs.existsSync(dir)) return found;
  const names = fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  for (const name of names) {
    const source = path.join(dir, name);
    try {
      found.pipelines.push({ source, document: JSON.parse(fs.readFileSync(source, 'utf8')) as unknown });
    } catch (error) {
      found.unreadable.push(`${source}: ${(error as Error).message}`);
    }
  }
  return found;
}

/** The shipped pipeline whose document has this id, if any. */
export function findShippedPipeline(dir: string | undefined, id: string): ShippedPipeline | undefined {
  return readShippedPipelines(dir).pipelines.find(({ document }) => (document as { id?: unknown } | null)?.id === id);
}
