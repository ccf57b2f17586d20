// A version number means one document for good: deleting a pipeline and creating it again goes on counting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStoreSet as openStores, type SqliteStoreSet as Stores } from '../../src/store';
import type { Pipeline } from '../../src/pipeline/schema';

const pipeline = (id: string, name: string): Pipeline => ({ format: 'storyloom/pipeline@1', id, name, nodes: [], edges: [] });

describe('pipeline version numbers across delete and re-create', () => {
  let dir: string;
  let stores: Stores;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storyloom-versions-'));
    stores = openStores(join(dir, 'db.sqlite'));
  });
  afterEach(() => {
    stores.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a re-created pipeline continues after the deleted one’s last version, also in a new process', () => {
    const { pipelines } = stores;
    pipelines.create(pipeline('tale', 'One'));
    pipelines.save('tale', pipeline('tale', 'Two'), 1);
    expect(pipelines.delete('tale')).toBe(true);
    const again = pipelines.create(pipeline('tale', 'Other tale'));
    expect(again.version).toBe(3);
    expect(pipelines.get('tale', 1)).toBeUndefined();
    expect(pipelines.versions('tale').map((v) => [v.version, v.name])).toEqual([[3, 'Other tale']]);
    expect(pipelines.save('tale', pipeline('tale', 'Other tale 2'), 3).version).toBe(4);
    stores.db.close();
    stores = openStores(join(dir, 'db.sqlite'));
    stores.pipelines.delete('tale');
    expect(stores.pipelines.create(pipeline('tale', 'Third')).version).toBe(5);
    // Other ids are unaffected.
    expect(stores.pipelines.create(pipeline('fresh', 'Fresh')).version).toBe(1);
  });

  test('versions recorded by runs are never reused (databases from before deletions were remembered)', () => {
    const at = new Date().toISOString();
    stores.db
      .prepare('INSERT INTO runs (id, pipeline_id, version, status, inputs, pipeline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run('old-run', 'tale', 7, 'completed', '{}', JSON.stringify(pipeline('tale', 'Gone')), at, at);
    expect(stores.pipelines.create(pipeline('tale', 'New')).version).toBe(8);
  });
});
