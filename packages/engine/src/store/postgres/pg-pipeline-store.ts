// Saved pipelines and their versions in PostgreSQL. Creating an id takes an advisory lock on it and saving
// locks its row, where the SQLite store relies on its exclusive write transactions.
import { StoryloomError } from '../../errors';
import type { PipelineStore, PipelineVersionInfo, SavePipelineOptions, StoredPipeline } from '../../runner/engine';
import { nowIso } from '../database';
import { type CheckedDocument, checkForSaving, deletedVersionKey, isUnchanged, toStored, type VersionRow } from '../pipeline-store';
import { changed, firstRow, type Queryable, rowsOf } from './queryable';

const SELECT_VERSION = `SELECT v.pipeline_id, v.version, v.document, v.valid, v.errors, v.created_at AS version_created_at, p.created_at
  FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id`;

/** Runs `fn` in one transaction (the caller's, when already inside one). */
export type InTransaction = <T>(fn: (db: Queryable) => Promise<T>) => Promise<T>;

export class PgPipelineStore implements PipelineStore {
  constructor(
    private readonly db: Queryable,
    private readonly inTransaction: InTransaction,
  ) {}

  async list(): Promise<StoredPipeline[]> {
    return (await rowsOf<VersionRow>(this.db, `${SELECT_VERSION} AND v.version = p.latest_version ORDER BY p.id`)).map(toStored);
  }

  async get(id: string, version?: number): Promise<StoredPipeline | undefined> {
    const row = await firstRow<VersionRow>(this.db, `${SELECT_VERSION} WHERE p.id = $1 AND v.version = COALESCE($2, p.latest_version)`, [id, version ?? null]);
    return row && toStored(row);
  }

  async create(document: unknown, options: SavePipelineOptions = {}): Promise<StoredPipeline> {
    const pipeline = checkForSaving(document, options);
    return this.inTransaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipeline:${pipeline.id}`]);
      if (await firstRow(db, 'SELECT 1 FROM pipelines WHERE id = $1', [pipeline.id])) {
        throw new StoryloomError('conflict', `pipeline '${pipeline.id}' already exists; save a new version instead`);
      }
      const at = nowIso();
      const version = await firstFreeVersion(db, pipeline.id);
      await db.query('INSERT INTO pipelines (id, latest_version, created_at, updated_at) VALUES ($1, $2, $3, $3)', [pipeline.id, version, at]);
      await insertVersion(db, version, pipeline, at);
      return (await new PgPipelineStore(db, this.inTransaction).get(pipeline.id))!;
    });
  }

  async save(id: string, document: unknown, baseVersion: number, options: SavePipelineOptions = {}): Promise<StoredPipeline> {
    const pipeline = checkForSaving(document, options);
    if (pipeline.id !== id) throw new StoryloomError('invalid_input', `pipeline id '${pipeline.id}' does not match '${id}'`);
    return this.inTransaction(async (db) => {
      const row = await firstRow<{ latest_version: number }>(db, 'SELECT latest_version FROM pipelines WHERE id = $1 FOR UPDATE', [id]);
      if (!row) throw new StoryloomError('not_found', `no pipeline '${id}'`);
      if (row.latest_version !== baseVersion) {
        throw new StoryloomError('conflict', `pipeline '${id}' is at version ${row.latest_version}, not ${baseVersion}: reload it and save again`, {
          latestVersion: row.latest_version,
        });
      }
      const latest = await new PgPipelineStore(db, this.inTransaction).get(id, baseVersion);
      if (latest && isUnchanged(latest, pipeline)) return latest;
      const version = baseVersion + 1;
      const at = nowIso();
      await db.query('UPDATE pipelines SET latest_version = $1, updated_at = $2 WHERE id = $3', [version, at, id]);
      await insertVersion(db, version, pipeline, at);
      return (await new PgPipelineStore(db, this.inTransaction).get(id))!;
    });
  }

  async versions(id: string): Promise<PipelineVersionInfo[]> {
    const rows = await rowsOf<{ version: number; created_at: string; name: string; valid: number; problem_count: number }>(
      this.db,
      `SELECT version, created_at, name, valid, json_array_length(errors::json) AS problem_count
       FROM pipeline_versions WHERE pipeline_id = $1 ORDER BY version`,
      [id],
    );
    return rows.map((row) => ({ version: row.version, createdAt: row.created_at, name: row.name, valid: row.valid === 1, problemCount: row.problem_count }));
  }

  async delete(id: string): Promise<boolean> {
    return this.inTransaction(async (db) => {
      const row = await firstRow<{ latest_version: number }>(db, 'SELECT latest_version FROM pipelines WHERE id = $1 FOR UPDATE', [id]);
      if (row) {
        // Remembered so a pipeline created again under this id goes on from here (see firstFreeVersion).
        await db.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
          deletedVersionKey(id),
          String(row.latest_version),
        ]);
      }
      await db.query('DELETE FROM pipeline_versions WHERE pipeline_id = $1', [id]);
      return changed(db, 'DELETE FROM pipelines WHERE id = $1', [id]);
    });
  }
}

/** A version number is never given to two documents of one id (see the SQLite store). */
async function firstFreeVersion(db: Queryable, id: string): Promise<number> {
  const deleted = await firstRow<{ value: string }>(db, 'SELECT value FROM meta WHERE key = $1', [deletedVersionKey(id)]);
  const ran = await firstRow<{ version: number | null }>(db, 'SELECT MAX(version) AS version FROM runs WHERE pipeline_id = $1', [id]);
  return Math.max(Number(deleted?.value ?? 0) || 0, ran?.version ?? 0) + 1;
}

async function insertVersion(db: Queryable, version: number, checked: CheckedDocument, at: string): Promise<void> {
  await db.query('INSERT INTO pipeline_versions (pipeline_id, version, name, document, created_at, valid, errors) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    checked.id,
    version,
    checked.name,
    JSON.stringify(checked.document),
    at,
    checked.valid ? 1 : 0,
    JSON.stringify(checked.errors),
  ]);
}
