// Saved pipelines; every save is a new version, so history is never lost and a stale editor gets 'conflict'.
// A document that fails validation is refused, unless saved as a draft: then it is kept with `valid = 0` and its
// problems, so half-finished work lives on the server (runs refuse it: they validate what they run).
import { StoryloomError, type ValidationProblem } from '../errors';
import { draftProblems } from '../pipeline/draft';
import { sameJson } from '../pipeline/json';
import type { Pipeline } from '../pipeline/schema';
import { invalidPipelineMessage, validatePipeline } from '../pipeline/validate';
import type { PipelineVersionInfo, SavePipelineOptions, StoredPipeline } from '../runner/engine';
import { nowIso, writeTransaction, type SqliteDatabase, statement } from './database';

export interface VersionRow {
  pipeline_id: string;
  version: number;
  document: string;
  valid: number;
  errors: string;
  version_created_at: string;
  created_at: string;
}

/** A document checked for saving: what to store and what validation said about it. */
export interface CheckedDocument {
  id: string;
  name: string;
  document: unknown;
  valid: boolean;
  errors: ValidationProblem[];
}

export class SqlitePipelineStore {
  constructor(private readonly db: SqliteDatabase) {}

  list(): StoredPipeline[] {
    const rows = statement(this.db, 
        `SELECT v.pipeline_id, v.version, v.document, v.valid, v.errors, v.created_at AS version_created_at, p.created_at
         FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id AND v.version = p.latest_version
         ORDER BY p.id`,
      )
      .all() as VersionRow[];
    return rows.map(toStored);
  }

  get(id: string, version?: number): StoredPipeline | undefined {
    const row = statement(this.db, 
        `SELECT v.pipeline_id, v.version, v.document, v.valid, v.errors, v.created_at AS version_created_at, p.created_at
         FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id
         WHERE p.id = ? AND v.version = COALESCE(?, p.latest_version)`,
      )
      .get(id, version ?? null) as VersionRow | undefined;
    return row && toStored(row);
  }

  create(document: unknown, options: SavePipelineOptions = {}): StoredPipeline {
    const pipeline = checkForSaving(document, options);
    return writeTransaction(this.db, () => {
      if (statement(this.db, 'SELECT 1 FROM pipelines WHERE id = ?').get(pipeline.id)) {
        throw new StoryloomError('conflict', `pipeline '${pipeline.id}' already exists; save a new version instead`);
      }
      const at = nowIso();
      const version = this.firstFreeVersion(pipeline.id);
      statement(this.db, 'INSERT INTO pipelines (id, latest_version, created_at, updated_at) VALUES (?, ?, ?, ?)').run(pipeline.id, version, at, at);
      this.insertVersion(version, pipeline, at);
      return this.get(pipeline.id)!;
    });
  }

  save(id: string, document: unknown, baseVersion: number, options: SavePipelineOptions = {}): StoredPipeline {
    const pipeline = checkForSaving(document, options);
    if (pipeline.id !== id) {
      throw new StoryloomError('invalid_input', `pipeline id '${pipeline.id}' does not match '${id}'`);
    }
    return writeTransaction(this.db, () => {
      const row = statement(this.db, 'SELECT latest_version FROM pipelines WHERE id = ?').get(id) as { latest_version: number } | undefined;
      if (!row) throw new StoryloomError('not_found', `no pipeline '${id}'`);
      if (row.latest_version !== baseVersion) {
        throw new StoryloomError('conflict', `pipeline '${id}' is at version ${row.latest_version}, not ${baseVersion}: reload it and save again`, {
          latestVersion: row.latest_version,
        });
      }
      const latest = this.get(id, baseVersion);
      if (latest && isUnchanged(latest, pipeline)) return latest;
      const version = baseVersion + 1;
      const at = nowIso();
      statement(this.db, 'UPDATE pipelines SET latest_version = ?, updated_at = ? WHERE id = ?').run(version, at, id);
      this.insertVersion(version, pipeline, at);
      return this.get(id)!;
    });
  }

  versions(id: string): PipelineVersionInfo[] {
    const rows = statement(
      this.db,
      'SELECT version, created_at, name, valid, json_array_length(errors) AS problem_count FROM pipeline_versions WHERE pipeline_id = ? ORDER BY version',
    ).all(id) as Array<{ version: number; created_at: string; name: string; valid: number; problem_count: number }>;
    return rows.map((row) => ({
      version: row.version,
      createdAt: row.created_at,
      name: row.name,
      valid: row.valid === 1,
      problemCount: row.problem_count,
    }));
  }

  delete(id: string): boolean {
    return writeTransaction(this.db, () => {
      const row = statement(this.db, 'SELECT latest_version FROM pipelines WHERE id = ?').get(id) as { latest_version: number } | undefined;
      if (row) {
        // Remembered so a pipeline created again under this id goes on from here (see firstFreeVersion).
        statement(this.db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
          deletedVersionKey(id),
          String(row.latest_version),
        );
      }
      statement(this.db, 'DELETE FROM pipeline_versions WHERE pipeline_id = ?').run(id);
      return statement(this.db, 'DELETE FROM pipelines WHERE id = ?').run(id).changes > 0;
    });
  }

  /**
   * A version number is never given to two different documents of one id: a pipeline deleted and created
   * again continues after the last version it had (and after any version a run recorded, for databases
   * from before deletions were remembered), so an old run's "v1" keeps meaning the document it ran.
   */
  private firstFreeVersion(id: string): number {
    const deleted = statement(this.db, 'SELECT value FROM meta WHERE key = ?').get(deletedVersionKey(id)) as { value: string } | undefined;
    const ran = statement(this.db, 'SELECT MAX(version) AS version FROM runs WHERE pipeline_id = ?').get(id) as { version: number | null };
    return Math.max(Number(deleted?.value ?? 0) || 0, ran.version ?? 0) + 1;
  }

  private insertVersion(version: number, checked: CheckedDocument, at: string): void {
    statement(this.db, 'INSERT INTO pipeline_versions (pipeline_id, version, name, document, created_at, valid, errors) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(checked.id, version, checked.name, JSON.stringify(checked.document), at, checked.valid ? 1 : 0, JSON.stringify(checked.errors));
  }
}

/** Saving what is already the latest version (same document, same draft standing) makes no new version. */
export function isUnchanged(latest: StoredPipeline, checked: CheckedDocument): boolean {
  return sameJson(latest.pipeline, checked.document) && latest.valid === checked.valid;
}

/**
 * Validates a document about to be saved. Invalid: StoryloomError('invalid_pipeline') with every problem, unless
 * it is a draft that meets the draft minimum (then it is stored with its problems).
 */
export function checkForSaving(document: unknown, options: SavePipelineOptions): CheckedDocument {
  const result = validatePipeline(document);
  if (!result.valid) {
    const unstorable = options.draft ? draftProblems(document) : result.errors;
    if (unstorable.length > 0) {
      const message = invalidPipelineMessage(unstorable, options.draft ? { what: 'cannot be saved even as a draft' } : {});
      throw new StoryloomError('invalid_pipeline', message, unstorable);
    }
  }
  // Valid, or a draft with the minimum (an object with a good id; `name` a string if present).
  const draft = document as { id: string; name?: string };
  const stored = result.valid ? result.pipeline! : document;
  return { id: draft.id, name: draft.name ?? draft.id, document: stored, valid: result.valid, errors: result.errors };
}

export function deletedVersionKey(id: string): string {
  return `pipeline-deleted-version:${id}`;
}

export function toStored(row: VersionRow): StoredPipeline {
  return {
    id: row.pipeline_id,
    version: row.version,
    pipeline: JSON.parse(row.document) as Pipeline,
    valid: row.valid === 1,
    errors: JSON.parse(row.errors) as ValidationProblem[],
    createdAt: row.created_at,
    updatedAt: row.version_created_at,
  };
}
