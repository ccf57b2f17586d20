// The README's first real-model example on the shipped pipelines: they name no model, so STORYLOOM_MODEL
// decides. With it pointing at an OpenAI-compatible server (the stub, through OPENAI_BASE_URL) a shipped
// pipeline's nodes call that server, from the CLI (a file, or the shipped pipeline by id) and from a server
// seeded with the shipped pipelines; without it they run offline and call nothing. The CLI says which model
// a run will use and why.
import path from 'node:path';
import { startOpenAIStub, type OpenAIStub } from './support/openai-stub';
import { storyResponder } from './support/story-stub';
import { PIPELINES_DIR, runCli, workspaceForFile } from './support/cli';
import { startTestServer, waitForRun } from '../packages/server/test/http/support';
import { readShippedPipelines } from '../packages/server/src/shipped-pipelines';

const PREMISE = 'A lighthouse keeper hears drowned sailors in the fog';
const SCREENPLAY = path.join(PIPELINES_DIR, 'short-screenplay.json');

describe('shipped pipelines run on the model the environment names', () => {
  const files = workspaceForFile('storyloom-env-model-');
  let stub: OpenAIStub;
  beforeAll(async () => {
    stub = await startOpenAIStub({ respond: storyResponder(3) });
  });
  afterAll(() => stub?.close());
  beforeEach(() => stub.reset());

  const env = () => ({ STORYLOOM_MODEL: 'openai:stub-model', OPENAI_BASE_URL: stub.url });

  test('storyloom run <shipped file> with STORYLOOM_MODEL calls the OpenAI-compatible server, and says why', async () => {
    const result = await runCli(['run', SCREENPLAY, '--input', `premise=${PREMISE}`, '--input', 'scenes=3', ...files.db], { env: env(), timeoutMs: 120_000 });
    expect({ code: result.code, stderr: result.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(stub.requests.length).toBeGreaterThan(0);
    expect(stub.requests.every((request) => request.body.model === 'stub-model')).toBe(true);
    expect(result.stdout + result.stderr).toMatch(/Model: openai:stub-model[^\n]*from STORYLOOM_MODEL \(neither the run, the node nor the pipeline names a model\)/);
  });

  test('storyloom run <shipped id> (not in the database yet) does the same; --model still wins', async () => {
    const byId = await runCli(['run', 'short-story', '--input', `premise=${PREMISE}`, '--input', 'scenes=3', ...files.db], { env: env(), timeoutMs: 120_000 });
    expect(byId.code).toBe(0);
    const calls = stub.requests.length;
    expect(calls).toBeGreaterThan(0);

    const offline = await runCli(['run', 'short-story', '--model', 'offline', '--input', `premise=${PREMISE}`, '--input', 'scenes=3', ...files.db], { env: env() });
    expect(offline.code).toBe(0);
    expect(stub.requests.length).toBe(calls);
    expect(offline.stdout + offline.stderr).toMatch(/Model: offline[^\n]*chosen for this run \(--model\)/);
  });

  test('without STORYLOOM_MODEL the shipped pipeline runs offline and calls nothing; validate says so', async () => {
    const result = await runCli(['run', SCREENPLAY, '--input', `premise=${PREMISE}`, '--input', 'scenes=3', ...files.db], { env: { OPENAI_BASE_URL: stub.url } });
    expect(result.code).toBe(0);
    expect(stub.requests).toHaveLength(0);
    expect(result.stdout + result.stderr).toContain(
      'Model: offline (built-in deterministic writer, no LLM): nothing names a model (not the run, the node, the pipeline or STORYLOOM_MODEL)\n',
    );

    const validated = await runCli(['validate', SCREENPLAY], { env: env() });
    expect(validated.code).toBe(0);
    expect(validated.stdout).toMatch(/^Model: openai:stub-model, from STORYLOOM_MODEL/m);
  });

  test('a server seeded with the shipped pipelines runs them on STORYLOOM_MODEL', async () => {
    const server = await startTestServer({ env: env() });
    try {
      // The test server seeds nothing by default; seed the shipped folder as `serve` does.
      const seeded = await server.storyloom.seedPipelines(readShippedPipelines(PIPELINES_DIR).pipelines);
      expect(seeded.created).toContain('short-screenplay');
      const started = await server.call('POST', '/api/runs', { pipelineId: 'short-screenplay', inputs: { premise: PREMISE, scenes: 3 } });
      expect(started.status).toBe(202);
      const done = await waitForRun(server, started.body.id, (run) => ['completed', 'failed'].includes(run.status), 120_000);
      expect({ status: done.status, error: done.error }).toEqual({ status: 'completed', error: undefined });
      expect(stub.requests.length).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});
