// The up-front model check shared by the CLI and POST /api/runs, and the base-URL allow-list.
import { isStoryloomError } from '../../src/errors';
import { baseUrlPolicy, checkRunModels } from '../../src/models/run-models';
import type { Pipeline } from '../../src/pipeline/schema';

const pipeline: Pipeline = {
  format: 'storyloom/pipeline@1',
  id: 'p',
  name: 'P',
  nodes: [
    { id: 'logline', type: 'logline' },
    { id: 'script', type: 'export', config: { format: 'fountain' } },
  ],
  edges: [{ source: 'logline', target: 'script' }],
};

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isStoryloomError(error, 'invalid_input')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('checkRunModels', () => {
  test('describes the models nodes will use (export nodes use none)', () => {
    expect(checkRunModels(pipeline, undefined, {}).descriptions).toEqual(['offline (built-in deterministic writer, no LLM)']);
    expect(checkRunModels(pipeline, 'openai:gpt-4o', { OPENAI_API_KEY: 'k' }).descriptions).toEqual(['openai:gpt-4o']);
  });

  test('names where a bad model comes from, once (no doubled STORYLOOM_MODEL prefix)', () => {
    expect(refusal(() => checkRunModels(pipeline, undefined, { STORYLOOM_MODEL: 'gpt:4' }))).toMatch(/^STORYLOOM_MODEL: unknown model provider 'gpt'/);
    expect(refusal(() => checkRunModels(pipeline, 'openai', {}, { runModelLabel: '--model' }))).toMatch(/^--model: openai is not configured: set OPENAI_API_KEY/);
    const withNodeModel: Pipeline = { ...pipeline, nodes: [{ id: 'logline', type: 'logline', model: 'nope:x' }] };
    expect(refusal(() => checkRunModels(withNodeModel, undefined, {}))).toMatch(/^node 'logline': unknown model provider 'nope'/);
  });

  test('base URLs: any for a local user; env endpoints plus STORYLOOM_MODEL_BASE_URLS on a shared server', () => {
    const spec = { provider: 'openai' as const, baseUrl: 'http://10.0.0.5:8000/v1' };
    expect(baseUrlPolicy({}, { restricted: false })).toBe('any');
    expect(() => checkRunModels(pipeline, spec, {}, { baseUrls: 'any' })).not.toThrow();
    const shared = baseUrlPolicy({ OPENAI_BASE_URL: 'http://127.0.0.1:4011/v1' }, { restricted: true });
    expect(refusal(() => checkRunModels(pipeline, spec, {}, { baseUrls: shared }))).toMatch(
      /^model: baseUrl 'http:\/\/10\.0\.0\.5:8000\/v1' is not allowed on this server; allowed: http:\/\/127\.0\.0\.1:4011\/v1, http:\/\/127\.0\.0\.1:11434 \(add it to STORYLOOM_MODEL_BASE_URLS/,
    );
    expect(() => checkRunModels(pipeline, { provider: 'openai', baseUrl: 'HTTP://127.0.0.1:4011/v1/' }, {}, { baseUrls: shared })).not.toThrow();
    const listed = baseUrlPolicy({ STORYLOOM_MODEL_BASE_URLS: ' http://10.0.0.5:8000/v1 , http://x:1' }, { restricted: false });
    expect(() => checkRunModels(pipeline, spec, {}, { baseUrls: listed })).not.toThrow();
    expect(refusal(() => checkRunModels(pipeline, { provider: 'ollama', baseUrl: 'http://169.254.169.254' }, {}, { baseUrls: listed }))).toContain('STORYLOOM_MODEL_BASE_URLS');
  });
});
