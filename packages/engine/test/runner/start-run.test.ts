// Starting a run is the engine's one decision, whoever asks (the server, the CLI): the pipeline is resolved
// (inline, or saved by id and version), and every model the run will use is checked before anything is stored.
import { tempEngines, type TempEngines, promptPipeline } from './support/helpers';
import { isStoryloomError } from '../../src/errors';

describe('runner: starting a run', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  const refusal = async (promise: Promise<unknown>): Promise<Error & { code?: string }> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught as Error & { code?: string },
    );
    if (!error) throw new Error('expected the start to be refused');
    return error;
  };

  it('refuses an OpenAI model with neither a key nor a base URL, naming what to set, and stores nothing', async () => {
    const engine = await temp.open({ env: {} });
    const error = await refusal(engine.startRun({ pipeline: promptPipeline(['a>b']), inputs: { premise: 'x' }, model: 'openai:gpt-4o-mini' }));
    expect(isStoryloomError(error, 'invalid_input')).toBe(true);
    expect(error.message).toMatch(/^model: openai is not configured: set OPENAI_API_KEY/);

    // The pipeline's own model is refused the same way, named as the pipeline's.
    const pinned = await refusal(engine.startRun({ pipeline: promptPipeline(['a>b'], { model: 'openai:gpt-4o-mini' }), inputs: { premise: 'x' } }));
    expect(isStoryloomError(pinned, 'invalid_input')).toBe(true);
    expect(pinned.message).toMatch(/openai is not configured/);
    expect(pinned.message).not.toMatch(/^model:/);
    expect(await engine.listRuns()).toEqual([]);

    // Configured (a base URL), the same run starts.
    const configured = await temp.open({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
    const run = await configured.startRun({ pipeline: promptPipeline(['a>b']), inputs: { premise: 'x' }, model: 'openai:gpt-4o-mini' });
    expect(run.status).toBe('queued');
  });

  it('names the run model as the caller does, and restricts base URLs only when asked', async () => {
    const engine = await temp.open({ env: {} });
    const model = { provider: 'openai', model: 'm', baseUrl: 'http://10.0.0.7:8000/v1' } as const;
    const cli = await refusal(engine.startRun({ pipeline: promptPipeline(['a']), inputs: { premise: 'x' }, model: 'nonsense:thing' }, { modelLabel: '--model' }));
    expect(cli.message).toMatch(/^--model: /);

    const shared = await refusal(engine.startRun({ pipeline: promptPipeline(['a']), inputs: { premise: 'x' }, model }, { restrictBaseUrls: true }));
    expect(isStoryloomError(shared, 'invalid_input')).toBe(true);
    expect(shared.message).toMatch(/baseUrl 'http:\/\/10\.0\.0\.7:8000\/v1' is not allowed on this server/);
    expect(await engine.listRuns()).toEqual([]);

    const local = await engine.startRun({ pipeline: promptPipeline(['a']), inputs: { premise: 'x' }, model });
    expect(local.status).toBe('queued');
  });

  it('runs a saved pipeline by id: its latest version, or the one named, recorded on the run', async () => {
    const engine = await temp.open();
    await engine.pipelines.create(promptPipeline(['a'], { id: 'saved' }));
    await engine.pipelines.save('saved', promptPipeline(['a>b'], { id: 'saved' }), 1);

    const latest = await engine.startRun({ pipelineId: 'saved', inputs: { premise: 'x' } });
    expect(latest).toMatchObject({ pipelineId: 'saved', version: 2 });
    expect(Object.keys(latest.nodes).sort()).toEqual(['a', 'b']);
    const first = await engine.startRun({ pipelineId: 'saved', version: 1, inputs: { premise: 'x' } });
    expect(first).toMatchObject({ pipelineId: 'saved', version: 1 });
    expect(Object.keys(first.nodes)).toEqual(['a']);

    const missing = await refusal(engine.startRun({ pipelineId: 'saved', version: 7, inputs: {} }));
    expect(isStoryloomError(missing, 'not_found')).toBe(true);
    expect(missing.message).toBe("no pipeline 'saved' version 7");
    const none = await refusal(engine.startRun({ inputs: {} }));
    expect(isStoryloomError(none, 'invalid_input')).toBe(true);
    expect(await engine.listRuns()).toHaveLength(2);
  });
});
