// Draft versions: a pipeline that fails validation can be saved as a draft (kept with its problems), never run;
// a non-draft save of it is refused and stores nothing. A database from before drafts gets the new columns.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSqliteStoreSet as openStores } from '../../src/store';
import { tempEngines, type TempEngines } from '../runner/support/helpers';
import { exampleScreenplay } from '../../../../test/support/example-screenplay';
import type { Pipeline } from '../../src/pipeline/schema';

const PREMISE = 'A lighthouse keeper finds a message in a bottle addressed to her, dated tomorrow.';

/** The spec screenplay with a cycle (script → logline) and an edge to a node that does not exist. */
function broken(id: string): Pipeline {
  const pipeline = exampleScreenplay({ id, cast: 2, scenes: 2, threshold: 1 });
  pipeline.edges.push({ source: 'script', target: 'logline' }, { source: 'lines', target: 'ghost' });
  return pipeline;
}

let temp: TempEngines;
beforeEach(async () => {
  temp = tempEngines();
});
afterEach(() => temp.cleanup());

describe('pipeline store drafts', () => {
  it('keeps an invalid document saved as a draft, with valid:false and its problems, on create and save', async () => {
    const { pipelines } = await temp.open();
    const draft = await pipelines.create(broken('tale'), { draft: true });
    expect(draft).toEqual(expect.objectContaining({ id: 'tale', version: 1, valid: false, pipeline: broken('tale') }));
    expect(draft.errors.map((problem) => problem.code)).toEqual(expect.arrayContaining(['cycle', 'unknown_node']));

    const fixed = await pipelines.save('tale', exampleScreenplay({ id: 'tale', cast: 2, scenes: 2, threshold: 1 }), 1);
    expect(fixed).toEqual(expect.objectContaining({ version: 2, valid: true, errors: [] }));
    const again = await pipelines.save('tale', broken('tale'), 2, { draft: true });
    expect(again.valid).toBe(false);

    // Read back by another connection: validity and problems are stored, not recomputed in memory.
    const reader = (await temp.open()).pipelines;
    expect(await reader.get('tale', 1)).toEqual(draft);
    expect(await reader.list()).toEqual([expect.objectContaining({ id: 'tale', version: 3, valid: false })]);
    expect((await reader.versions('tale')).map((v) => [v.version, v.valid, v.problemCount])).toEqual([
      [1, false, draft.errors.length],
      [2, true, 0],
      [3, false, again.errors.length],
    ]);
  });

  it('refuses an invalid document that is not a draft, listing every problem, and stores nothing', async () => {
    const { pipelines } = await temp.open();
    await expect(pipelines.create(broken('tale'))).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_pipeline', details: expect.arrayContaining([expect.objectContaining({ code: 'cycle' })]) }),
    );
    expect(await pipelines.get('tale')).toBeUndefined();
    await pipelines.create(broken('tale'), { draft: true });
    await expect(pipelines.save('tale', broken('tale'), 1)).rejects.toThrow(expect.objectContaining({ code: 'invalid_pipeline' }));
    expect(await pipelines.versions('tale')).toHaveLength(1);
  });

  it('refuses a draft that cannot be stored meaningfully, naming what is missing', async () => {
    const { pipelines } = await temp.open();
    const unstorable: Array<[unknown, string]> = [
      ['just text', ''],
      [{ ...broken('tale'), format: undefined }, '/format'],
      [{ ...broken('tale'), id: 'Not An Id' }, '/id'],
      [{ ...broken('tale'), edges: 'a→b' }, '/edges'],
      [{ ...broken('tale'), name: 42 }, '/name'],
    ];
    for (const [document, path] of unstorable) {
      await expect(pipelines.create(document, { draft: true })).rejects.toThrow(
        expect.objectContaining({ code: 'invalid_pipeline', message: expect.stringMatching(/even as a draft/), details: expect.arrayContaining([expect.objectContaining({ path })]) }),
      );
    }
    expect(await pipelines.list()).toEqual([]);
    // Only the minimum is required: no name (listed by id), nodes that are not nodes at all.
    const bare = await pipelines.create({ format: 'storyloom/pipeline@1', id: 'bare', nodes: [{ oops: true }], edges: [] }, { draft: true });
    expect(bare.valid).toBe(false);
    expect((await pipelines.versions('bare'))[0].name).toBe('bare');
  });

  it('startRun of a saved draft version is invalid_pipeline naming it as a draft with its problems', async () => {
    const engine = await temp.open();
    await engine.pipelines.create(exampleScreenplay({ id: 'tale', cast: 2, scenes: 2, threshold: 1 }));
    const draft = await engine.pipelines.save('tale', broken('tale'), 1, { draft: true });
    const start = () => engine.startRun({ pipeline: draft.pipeline, pipelineId: 'tale', version: draft.version, inputs: { premise: PREMISE } });
    await expect(start()).rejects.toThrow(
      expect.objectContaining({
        code: 'invalid_pipeline',
        message: expect.stringMatching(/saved pipeline 'tale' v2 is a draft: invalid pipeline \(\d+ problems\).*cycle/),
        details: expect.arrayContaining([expect.objectContaining({ code: 'cycle' }), expect.objectContaining({ code: 'unknown_node' })]),
      }),
    );
    expect(await engine.listRuns()).toEqual([]);
    const valid = (await engine.pipelines.get('tale', 1))!;
    expect((await engine.startRun({ pipeline: valid.pipeline, pipelineId: 'tale', version: 1, inputs: { premise: PREMISE } })).status).toBe('queued');
  });
});

describe('a database from before drafts', () => {
  it('gets the valid/errors columns on open; its versions read as valid', async () => {
    mkdirSync(dirname(temp.dbPath), { recursive: true });
    const old = new Database(temp.dbPath);
    old.exec(`
      CREATE TABLE pipelines (id TEXT PRIMARY KEY, latest_version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE pipeline_versions (pipeline_id TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL,
        created_at TEXT NOT NULL, PRIMARY KEY (pipeline_id, version)) WITHOUT ROWID;`);
    const document = exampleScreenplay({ id: 'old', cast: 2, scenes: 2, threshold: 1 });
    const at = new Date().toISOString();
    old.prepare('INSERT INTO pipelines VALUES (?, 1, ?, ?)').run('old', at, at);
    old.prepare('INSERT INTO pipeline_versions VALUES (?, 1, ?, ?, ?)').run('old', document.name, JSON.stringify(document), at);
    old.close();

    const stores = openStores(temp.dbPath);
    try {
      expect(stores.pipelines.get('old')).toEqual(expect.objectContaining({ version: 1, valid: true, errors: [], pipeline: document }));
      expect(stores.pipelines.versions('old')).toEqual([expect.objectContaining({ version: 1, valid: true, problemCount: 0 })]);
      expect(stores.pipelines.save('old', broken('old'), 1, { draft: true }).valid).toBe(false);
    } finally {
      stores.db.close();
    }
    // Opening again (columns already there) is a no-op.
    const reopened = openStores(temp.dbPath);
    expect(reopened.pipelines.versions('old').map((v) => v.valid)).toEqual([true, false]);
    reopened.db.close();
  });
});
