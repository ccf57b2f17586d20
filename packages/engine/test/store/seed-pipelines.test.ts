// Seeding the shipped example pipelines: once per database (recorded in it), never over a saved pipeline,
// invalid examples reported and skipped, and two engines on one new file seed it once between them.
import { tempEngines, type TempEngines } from '../runner/support/helpers';
import { specScreenplay } from '../../../../test/support/spec-screenplay';

let temp: TempEngines;
beforeEach(async () => {
  temp = tempEngines();
});
afterEach(() => temp.cleanup());

const example = (id: string) => ({ source: `pipelines/${id}.json`, document: specScreenplay({ id, name: `Example ${id}` }) });

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
  await engine.pipelines.create({ ...specScreenplay({ id: 'one' }), name: 'Mine' });
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
