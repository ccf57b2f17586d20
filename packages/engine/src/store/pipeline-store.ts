// Saved pipelines; every save is a new version, so history is never lost and a stale editor gets 'conflict'.
import { StoryloomError } from '../errors';
import type { Pipeline } from '../pipeline/schema';
import type { PipelineStore, PipelineVersionInfo, StoredPipeline } from '../runner/engine';
import { nowIso, writeTransaction, type SqliteDatabase, statement } from './database';

interface VersionRow {
  pipeline_id: string;
  version: number;
  document: string;
  version_created_at: string;
  created_at: string;
}

export class SqlitePipelineStore implements PipelineStore {
  constructor(private readonly db: SqliteDatabase) {}

  list(): StoredPipeline[] {
    const rows = statement(this.db, 
        `SELECT v.pipeline_id, v.version, v.document, v.created_at AS version_created_at, p.created_at
         FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id AND v.version = p.latest_version
         ORDER BY p.id`,
      )
      .all() as VersionRow[];
    return rows.map(toStored);
  }

  get(id: string, version?: number): StoredPipeline | undefined {
    const row = statement(this.db, 
        `SELECT v.pipeline_id, v.version, v.document, v.created_at AS version_created_at, p.created_at
         FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id
         WHERE p.id = ? AND v.version = COALESCE(?, p.latest_version)`,
      )
      .get(id, version ?? null) as VersionRow | undefined;
    return row && toStored(row);
  }

  create(pipeline: Pipeline): StoredPipeline {
    return writeTransaction(this.db, () => {
      if (statement(this.db, 'SELECT 1 FROM pipelines WHERE id = ?').get(pipeline.id)) {
        throw new StoryloomError('conflict', `pipeline '${pipeline.id}' already exists; save a new version instead`);
      }
      const at = nowIso();
      statement(this.db, 'INSERT INTO pipelines (id, latest_version, created_at, updated_at) VALUES (?, 1, ?, ?)').run(pipeline.id, at, at);
      this.insertVersion(pipeline.id, 1, pipeline, at);
      return this.get(pipeline.id)!;
    });
  }

  save(id: string, pipeline: Pipeline, baseVersion: number): StoredPipeline {
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
      const version = baseVersion + 1;
      const at = nowIso();
      statement(this.db, 'UPDATE pipelines SET latest_version = ?, updated_at = ? WHERE id = ?').run(version, at, id);
      this.insertVersion(id, version, pipeline, at);
      return this.get(id)!;
    });
  }

  versions(id: string): PipelineVersionInfo[] {
    const rows = statement(this.db, 'SELECT version, created_at, name FROM pipeline_versions WHERE pipeline_id = ? ORDER BY version')
      .all(id) as Array<{ version: number; created_at: string; name: string }>;
    return rows.map((row) => ({ version: row.version, createdAt: row.created_at, name: row.name }));
  }

  delete(id: string): boolean {
    return writeTransaction(this.db, () => {
      statement(this.db, 'DELETE FROM pipeline_versions WHERE pipeline_id = ?').run(id);
      return statement(this.db, 'DELETE FROM pipelines WHERE id = ?').run(id).changes > 0;
    });
  }

  private insertVersion(id: string, version: number, pipeline: Pipeline, at: string): void {
    statement(this.db, 'INSERT INTO pipeline_versions (pipeline_id, version, name, document, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, version, pipeline.name, JSON.stringify(pipeline), at);
  }
}

function toStored(row: VersionRow): StoredPipeline {
  return {
    id: row.pipeline_id,
    version: row.version,
    pipeline: JSON.parse(row.document) as Pipeline,
    createdAt: row.created_at,
    updatedAt: row.version_created_at,
  };
}
