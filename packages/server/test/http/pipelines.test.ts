// Saved pipelines with versions, over real HTTP.
import { PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('pipelines', () => {
  test('create → 201 version 1; list, get; PUT makes version 2; old versions stay readable', async () => {
    const pipeline = screenplayPipeline({ id: 'versioned' });
    const created = await server.call('POST', '/api/pipelines', pipeline);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/pipelines/versioned');
    expect(created.body).toEqual(expect.objectContaining({ id: 'versioned', version: 1, pipeline }));

    const renamed = { ...pipeline, name: 'Short screenplay, take two' };
    const saved = await server.call('PUT', '/api/pipelines/versioned', { baseVersion: 1, pipeline: renamed });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);

    const latest = await server.call('GET', '/api/pipelines/versioned');
    expect(latest.body.version).toBe(2);
    expect(latest.body.pipeline.name).toBe('Short screenplay, take two');

    const list = await server.call('GET', '/api/pipelines');
    expect(list.body.map((entry: { id: string; version: number }) => [entry.id, entry.version])).toContainEqual(['versioned', 2]);

    const versions = await server.call('GET', '/api/pipelines/versioned/versions');
    expect(versions.body.map((entry: { version: number; name: string }) => [entry.version, entry.name])).toEqual([
      [1, 'Short screenplay'],
      [2, 'Short screenplay, take two'],
    ]);
    const first = await server.call('GET', '/api/pipelines/versioned/versions/1');
    expect(first.body.pipeline.name).toBe('Short screenplay');
  });

  test('PUT with a stale baseVersion is 409 and saves nothing', async () => {
    const pipeline = screenplayPipeline({ id: 'stale' });
    await server.call('POST', '/api/pipelines', pipeline);
    expect((await server.call('PUT', '/api/pipelines/stale', { baseVersion: 1, pipeline: { ...pipeline, name: 'A' } })).status).toBe(200);
    const stale = await server.call('PUT', '/api/pipelines/stale', { baseVersion: 1, pipeline: { ...pipeline, name: 'B' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(stale.body.error.message).toMatch(/version 2/);
    const versions = await server.call('GET', '/api/pipelines/stale/versions');
    expect(versions.body.map((entry: { name: string }) => entry.name)).toEqual(['Short screenplay', 'A']);
  });

  test('PUT of an unchanged pipeline makes no new version; any change does', async () => {
    const pipeline = screenplayPipeline({ id: 'unchanged' });
    await server.call('POST', '/api/pipelines', pipeline);
    // The same document with its keys in another order is the same pipeline.
    const reordered = Object.fromEntries(Object.entries(pipeline).reverse());
    const same = await server.call('PUT', '/api/pipelines/unchanged', { baseVersion: 1, pipeline: reordered });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
    expect((await server.call('GET', '/api/pipelines/unchanged/versions')).body).toHaveLength(1);
    const moved = { ...pipeline, nodes: pipeline.nodes.map((node, index) => (index === 0 ? { ...node, position: { x: 5, y: 5 } } : node)) };
    const changed = await server.call('PUT', '/api/pipelines/unchanged', { baseVersion: 1, pipeline: moved });
    expect(changed.body.version).toBe(2);
    // Stale is still stale, changed or not.
    expect((await server.call('PUT', '/api/pipelines/unchanged', { baseVersion: 1, pipeline: moved })).status).toBe(409);
  });

  test('creating an existing id is 409', async () => {
    const pipeline = screenplayPipeline({ id: 'twice' });
    expect((await server.call('POST', '/api/pipelines', pipeline)).status).toBe(201);
    const again = await server.call('POST', '/api/pipelines', pipeline);
    expect(again.status).toBe(409);
  });

  test('an invalid pipeline is a 400 with every validation problem, and nothing is stored', async () => {
    const pipeline = screenplayPipeline({ id: 'broken' });
    pipeline.edges.push({ source: 'script', target: 'logline' }, { source: 'lines', target: 'ghost' });
    const { status, body } = await server.call('POST', '/api/pipelines', pipeline);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_pipeline');
    const codes = body.error.details.map((problem: { code: string }) => problem.code);
    expect(codes).toEqual(expect.arrayContaining(['cycle']));
    expect(body.error.details.length).toBeGreaterThanOrEqual(2);
    for (const problem of body.error.details) expect(problem.path).toMatch(/^\//);
    expect((await server.call('GET', '/api/pipelines/broken')).status).toBe(404);
  });

  test('a PUT whose document id differs from the URL is a 400', async () => {
    const pipeline = screenplayPipeline({ id: 'mine' });
    await server.call('POST', '/api/pipelines', pipeline);
    const { status, body } = await server.call('PUT', '/api/pipelines/mine', { baseVersion: 1, pipeline: { ...pipeline, id: 'yours' } });
    expect(status).toBe(400);
    expect(body.error.details[0].path).toBe('/pipeline/id');
    expect((await server.call('GET', '/api/pipelines/mine/versions')).body).toHaveLength(1);
  });

  test('PUT without baseVersion is a 400; PUT to an unknown id is a 404', async () => {
    const pipeline = screenplayPipeline({ id: 'no-base' });
    await server.call('POST', '/api/pipelines', pipeline);
    const missing = await server.call('PUT', '/api/pipelines/no-base', { pipeline });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe('/baseVersion');
    const unknown = await server.call('PUT', '/api/pipelines/ghost', { baseVersion: 1, pipeline: { ...pipeline, id: 'ghost' } });
    expect(unknown.status).toBe(404);
  });

  test('unknown ids and versions are 404; a non-numeric version is 400', async () => {
    expect((await server.call('GET', '/api/pipelines/ghost')).status).toBe(404);
    expect((await server.call('GET', '/api/pipelines/ghost/versions')).status).toBe(404);
    await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'one-version' }));
    const noVersion = await server.call('GET', '/api/pipelines/one-version/versions/5');
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.error.message).toMatch(/no version 5/);
    expect((await server.call('GET', '/api/pipelines/one-version/versions/latest')).status).toBe(400);
    expect((await server.call('DELETE', '/api/pipelines/ghost')).status).toBe(404);
  });

  test('DELETE removes the pipeline and its versions', async () => {
    await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'doomed' }));
    const deleted = await server.request('/api/pipelines/doomed', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await server.call('GET', '/api/pipelines/doomed')).status).toBe(404);
    expect((await server.call('GET', '/api/pipelines/doomed/versions/1')).status).toBe(404);
  });

  test('validate answers 200 with { valid, errors } for good and bad documents', async () => {
    const good = await server.call('POST', '/api/pipelines/validate', screenplayPipeline());
    expect(good).toEqual(expect.objectContaining({ status: 200, body: { valid: true, errors: [] } }));
    const bad = screenplayPipeline();
    bad.nodes.push({ id: 'cast', type: 'charactrs' });
    const result = await server.call('POST', '/api/pipelines/validate', bad);
    expect(result.status).toBe(200);
    expect(result.body.valid).toBe(false);
    const codes = result.body.errors.map((problem: { code: string }) => problem.code);
    expect(codes.length).toBeGreaterThanOrEqual(2);
    expect(result.body.errors.some((problem: { message: string }) => /charactrs/.test(problem.message))).toBe(true);
    const notAnObject = await server.call('POST', '/api/pipelines/validate', ['x']);
    expect(notAnObject.status).toBe(200);
    expect(notAnObject.body.valid).toBe(false);
  });
});

/** The screenplay pipeline with a cycle and an edge to a missing node: stored only as a draft. */
function brokenPipeline(id: string) {
  const pipeline = screenplayPipeline({ id });
  pipeline.edges.push({ source: 'script', target: 'logline' }, { source: 'lines', target: 'ghost' });
  return pipeline;
}

describe('drafts: invalid pipelines saved on the server but never run', () => {
  test('POST ?draft=true stores an invalid pipeline with valid:false and its problems; GET, list and history show it', async () => {
    const pipeline = brokenPipeline('half-done');
    const created = await server.call('POST', '/api/pipelines?draft=true', pipeline);
    expect(created.status).toBe(201);
    expect(created.body).toEqual(expect.objectContaining({ id: 'half-done', version: 1, valid: false, pipeline }));
    const codes = created.body.errors.map((problem: { code: string }) => problem.code);
    expect(codes).toEqual(expect.arrayContaining(['cycle', 'unknown_node']));

    const got = await server.call('GET', '/api/pipelines/half-done');
    expect(got.body).toEqual(expect.objectContaining({ valid: false, errors: created.body.errors, pipeline }));
    const listed = (await server.call('GET', '/api/pipelines')).body.find((entry: { id: string }) => entry.id === 'half-done');
    expect(listed).toEqual(expect.objectContaining({ version: 1, valid: false }));
    const versions = await server.call('GET', '/api/pipelines/half-done/versions');
    expect(versions.body).toEqual([expect.objectContaining({ version: 1, valid: false, problemCount: created.body.errors.length })]);
  });

  test('a valid document saved with ?draft=true is simply valid; a valid non-draft save says valid:true, errors:[]', async () => {
    const asDraft = await server.call('POST', '/api/pipelines?draft=true', screenplayPipeline({ id: 'draft-but-fine' }));
    expect(asDraft.status).toBe(201);
    expect(asDraft.body).toEqual(expect.objectContaining({ valid: true, errors: [] }));
    const plain = await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'plain-fine' }));
    expect(plain.body).toEqual(expect.objectContaining({ valid: true, errors: [] }));
  });

  test('without draft an invalid save is still a 400 and stores nothing (POST and PUT)', async () => {
    const refused = await server.call('POST', '/api/pipelines?draft=false', brokenPipeline('not-stored'));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_pipeline');
    expect((await server.call('GET', '/api/pipelines/not-stored')).status).toBe(404);

    await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'kept-valid' }));
    const put = await server.call('PUT', '/api/pipelines/kept-valid', { baseVersion: 1, pipeline: brokenPipeline('kept-valid') });
    expect(put.status).toBe(400);
    expect(put.body.error.details.map((problem: { code: string }) => problem.code)).toContain('cycle');
    expect((await server.call('GET', '/api/pipelines/kept-valid/versions')).body).toHaveLength(1);
  });

  test('a draft must still be storable: an object with the format, a good id and nodes/edges arrays', async () => {
    const cases: Array<[unknown, string]> = [
      [['not', 'an', 'object'], ''],
      [{ ...screenplayPipeline(), format: 'other@1', id: 'wrong-format' }, '/format'],
      [{ ...screenplayPipeline(), id: 'Bad Id' }, '/id'],
      [{ ...screenplayPipeline({ id: 'no-nodes' }), nodes: { a: 1 } }, '/nodes'],
    ];
    for (const [document, path] of cases) {
      const { status, body } = await server.call('POST', '/api/pipelines?draft=true', document);
      expect(status).toBe(400);
      expect(body.error.code).toBe('invalid_pipeline');
      expect(body.error.message).toMatch(/even as a draft/);
      expect(body.error.details.map((problem: { path: string }) => problem.path)).toContain(path);
    }
    for (const id of ['wrong-format', 'no-nodes']) expect((await server.call('GET', `/api/pipelines/${id}`)).status).toBe(404);
    expect((await server.call('POST', '/api/pipelines?draft=yes', screenplayPipeline({ id: 'odd-flag' }))).status).toBe(400);
  });

  test('PUT { draft: true } adds a draft version; running it is a 400 naming the problems; a later valid save runs', async () => {
    const pipeline = screenplayPipeline({ id: 'work-in-progress' });
    await server.call('POST', '/api/pipelines', pipeline);
    const draft = await server.call('PUT', '/api/pipelines/work-in-progress', { baseVersion: 1, pipeline: brokenPipeline('work-in-progress'), draft: true });
    expect(draft.status).toBe(200);
    expect(draft.body).toEqual(expect.objectContaining({ version: 2, valid: false }));

    const refused = await server.call('POST', '/api/runs', { pipelineId: 'work-in-progress', inputs: { premise: PREMISE } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_pipeline');
    expect(refused.body.error.message).toMatch(/v2 is a draft/);
    expect(refused.body.error.message).toMatch(/cycle/);
    expect(refused.body.error.details.map((problem: { code: string }) => problem.code)).toEqual(expect.arrayContaining(['cycle', 'unknown_node']));
    expect((await server.call('GET', '/api/runs?pipelineId=work-in-progress')).body).toEqual([]);

    // The valid version 1 still runs when asked for by number.
    const older = await server.call('POST', '/api/runs', { pipelineId: 'work-in-progress', version: 1, inputs: { premise: PREMISE } });
    expect(older.status).toBe(202);

    const fixed = await server.call('PUT', '/api/pipelines/work-in-progress', { baseVersion: 2, pipeline: { ...pipeline, name: 'Fixed' } });
    expect(fixed.body).toEqual(expect.objectContaining({ version: 3, valid: true, errors: [] }));
    const started = await server.call('POST', '/api/runs', { pipelineId: 'work-in-progress', inputs: { premise: PREMISE } });
    expect(started.status).toBe(202);
    const run = await waitForRun(server, started.body.id, (view) => view.status === 'completed' || view.status === 'failed');
    expect(run).toEqual(expect.objectContaining({ status: 'completed', version: 3 }));
    await waitForRun(server, older.body.id, (view) => view.status === 'completed' || view.status === 'failed');
    const versions = await server.call('GET', '/api/pipelines/work-in-progress/versions');
    expect(versions.body.map((entry: { version: number; valid: boolean }) => [entry.version, entry.valid])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
  });

  test('a draft PUT whose id differs from the URL is a 400 and stores nothing', async () => {
    await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'own-id' }));
    const { status, body } = await server.call('PUT', '/api/pipelines/own-id', { baseVersion: 1, pipeline: brokenPipeline('other-id'), draft: true });
    expect(status).toBe(400);
    expect(body.error.details[0].path).toBe('/pipeline/id');
    expect((await server.call('GET', '/api/pipelines/own-id/versions')).body).toHaveLength(1);
  });
});
