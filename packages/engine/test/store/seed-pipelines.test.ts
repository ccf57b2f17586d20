// Seeding the shipped example pipelines: once per database (recorded in it), never over a saved pipeline,
// invalid examples reported and skipped, two engines on one new file seed it once between them, and copies an
// earlier release seeded with the offline model pinned follow today's examples, which name no model.
import Database from 'better-sqlite3';
import { UNPINNED_KEY } from '../../src/store/seed-pipelines';
import { tempEngines, type TempEngines } from '../runner/support/helpers';
import { exampleScreenplay } from '../../../../test/support/example-screenplay';

let temp: TempEngines;
beforeEach(async () => {
  temp = tempEngines();
});
afterEach(() => temp.cleanup());

const example = (id: string) => ({ source: `pipelines/${id}.json`, document: exampleScreenplay({ id, name: `Example ${id}` }) });

it('saves every example on the first call and nothing afterwards, so a deleted one stays deleted', async () => {
  const engine = await temp.open();
  const first = await engine.seedPipelines([example('one'), example('two')]);
  expect(first).toMatchObject({ alreadySeeded: false, created: ['one', 'two'], existing: [], invalid: [] });
  expect((await engine.pipelines.list()).map((p) => p.id)).toEqual(['one', 'two']);

  await engine.pipelines.delete('one');
  const again = await (await temp.open()).seedPipelines([example('one'), example('two'), example('three')]);
  expect(again).toEqual({ seededAt: first.seededAt, alreadySeeded: true, created: [], existing: [], invalid: [] });
  expect((await engine.pipelines.list()).map((p) => p.id)).toEqual(['two']);
});

it('keeps a pipeline already saved under an example id and reports invalid examples without throwing', async () => {
  const engine = await temp.open();
  await engine.pipelines.create({ ...exampleScreenplay({ id: 'one' }), name: 'Mine' });
  const broken = { source: 'pipelines/broken.json', document: { format: 'storyloom/pipeline@1', id: 'broken', name: 'Broken', nodes: [{ id: 'x', type: 'nope' }], edges: [] } };
  const result = await engine.seedPipelines([example('one'), broken, example('two')]);
  expect(result).toMatchObject({ created: ['two'], existing: ['one'] });
  expect(result.invalid).toEqual([{ source: 'pipelines/broken.json', reason: expect.stringMatching(/nope/) }]);
  expect((await engine.pipelines.get('one'))?.pipeline.name).toBe('Mine');
  expect(await engine.pipelines.get('broken')).toBeUndefined();
});

it('two engines on the same new database seed it once', async () => {
  const [a, b] = [await temp.open(), await temp.open()];
  const results = await Promise.all([a.seedPipelines([example('one')]), b.seedPipelines([example('one')])]);
  expect(results.map((r) => r.alreadySeeded)).toEqual([false, true]);
  expect((await b.pipelines.get('one'))?.version).toBe(1);
});

it('a copy an earlier release seeded with the offline model pinned gets a version without it, once; an edited copy is left alone', async () => {
  const engine = await temp.open();
  // Today's examples name no model; an earlier release's pinned `"model": "offline"`, and seeding was all it recorded.
  const today = (id: string) => {
    const { model: _pinned, ...document } = exampleScreenplay({ id, name: `Example ${id}` });
    return { source: `pipelines/${id}.json`, document };
  };
  const pinned = (id: string) => ({ source: `pipelines/${id}.json`, document: { ...today(id).document, model: 'offline' } });
  await engine.seedPipelines([pinned('one'), pinned('two')]);
  await engine.pipelines.save('two', { ...pinned('two').document, name: 'Mine now' }, 1);
  const db = new Database(temp.dbPath);
  db.prepare('DELETE FROM meta WHERE key = ?').run(UNPINNED_KEY);
  db.close();

  // Today's examples name no model: the untouched copy follows, so STORYLOOM_MODEL decides what it runs on.
  const reopened = await temp.open();
  await reopened.seedPipelines([today('one'), today('two')]);
  const one = await reopened.pipelines.get('one');
  expect(one?.version).toBe(2);
  expect(one?.pipeline.model).toBeUndefined();
  const two = await reopened.pipelines.get('two');
  expect({ version: two?.version, model: two?.pipeline.model, name: two?.pipeline.name }).toEqual({ version: 2, model: 'offline', name: 'Mine now' });

  // Once: a pin someone puts back later stays.
  await reopened.pipelines.save('one', pinned('one').document, 2);
  await reopened.seedPipelines([today('one'), today('two')]);
  expect((await reopened.pipelines.get('one'))?.pipeline.model).toBe('offline');
});
