import { isStoryloomError } from '../../src/errors';
import { availableModels, describeModel, parseModelShorthand, resolveModelSpec } from '../../src/models/caller';

function invalidInputMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isStoryloomError(error, 'invalid_input')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an invalid_input error');
}

describe('model shorthand', () => {
  test.each([
    ['offline', { provider: 'offline' }],
    ['openai:gpt-4o-mini', { provider: 'openai', model: 'gpt-4o-mini' }],
    ['ollama:llama3.1', { provider: 'ollama', model: 'llama3.1' }],
    ['ollama:qwen2.5:7b', { provider: 'ollama', model: 'qwen2.5:7b' }],
    ['openai', { provider: 'openai', model: undefined }],
  ])('%s expands', (text, expected) => {
    expect(parseModelShorthand(text)).toEqual(expected);
  });

  test('an unknown provider is named', () => {
    expect(invalidInputMessage(() => parseModelShorthand('anthropic:claude'))).toMatch(/unknown model provider 'anthropic'/);
  });

  test.each(['openai:', '', 'offline:fast'])('malformed %j is refused with the spec in the message', (text) => {
    const message = invalidInputMessage(() => parseModelShorthand(text));
    expect(message).toMatch(/model spec|empty model spec/);
  });
});

describe('resolveModelSpec', () => {
  const env = { STORYLOOM_MODEL: 'ollama:mistral' };

  test('run beats node beats pipeline', () => {
    expect(resolveModelSpec(['openai:run-model', 'openai:node-model', 'offline'], env)).toEqual({ provider: 'openai', model: 'run-model' });
    expect(resolveModelSpec([undefined, 'openai:node-model', 'offline'], env)).toEqual({ provider: 'openai', model: 'node-model' });
    expect(resolveModelSpec([undefined, undefined, { provider: 'openai', model: 'p', temperature: 0.2 }], env)).toEqual({
      provider: 'openai',
      model: 'p',
      temperature: 0.2,
    });
  });

  test('then STORYLOOM_MODEL, then offline', () => {
    expect(resolveModelSpec([undefined, undefined, undefined], env)).toEqual({ provider: 'ollama', model: 'mistral' });
    expect(resolveModelSpec([], {})).toEqual({ provider: 'offline' });
    expect(resolveModelSpec([undefined], { STORYLOOM_MODEL: '  ' })).toEqual({ provider: 'offline' });
  });

  test('a bad STORYLOOM_MODEL says where it came from', () => {
    expect(invalidInputMessage(() => resolveModelSpec([], { STORYLOOM_MODEL: 'gemini:pro' }))).toMatch(/^STORYLOOM_MODEL: unknown model provider 'gemini'/);
  });

  test('a bad object spec is refused, naming the provider or the field', () => {
    expect(invalidInputMessage(() => resolveModelSpec([{ provider: 'bard' } as never], {}))).toMatch(/unknown model provider 'bard'/);
    expect(invalidInputMessage(() => resolveModelSpec([{ provider: 'openai', temperature: 7 }], {}))).toMatch(/temperature/);
    // Keys never come from pipeline files: the object form has no apiKey field.
    expect(invalidInputMessage(() => resolveModelSpec([{ provider: 'openai', apiKey: 'sk-x' } as never], {}))).toMatch(/apiKey/);
  });
});

describe('describeModel and availableModels', () => {
  test('the offline model says it is offline', () => {
    expect(describeModel({ provider: 'offline' })).toBe('offline (built-in deterministic writer, no LLM)');
    expect(describeModel({ provider: 'offline', latencyMs: 100 })).toMatch(/^offline .*100 ms/);
  });

  test('remote models show model and server', () => {
    expect(describeModel({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:9/v1' })).toBe('openai:gpt-4o-mini @ http://127.0.0.1:9/v1');
    expect(describeModel({ provider: 'openai' })).toBe('openai:gpt-4o-mini');
    expect(describeModel({ provider: 'ollama' }, { OLLAMA_BASE_URL: 'http://127.0.0.1:11999' })).toBe('ollama:llama3.1 @ http://127.0.0.1:11999');
  });

  test('offline is always available; the others when the environment configures them', () => {
    const none = availableModels({ STORYLOOM_MODELS_DIR: '/nonexistent-models-dir' });
    expect(none.map((m) => [m.provider, m.available]).slice(0, 4)).toEqual([
      ['offline', true],
      ['openai', false],
      ['ollama', false],
      ['local', true], // node-llama-cpp ships with Storyloom; an empty models folder offers no files
    ]);
    expect(none[3]!.models).toEqual([]);
    expect(none[4]!.provider).toBe('transformers'); // an optional install: available when installed
    const configured = availableModels({ OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1', OLLAMA_BASE_URL: 'http://127.0.0.1:11434' });
    expect(configured.filter((m) => m.provider === 'openai' || m.provider === 'ollama').every((m) => m.available)).toBe(true);
    expect(configured[1]!.note).toMatch(/127\.0\.0\.1:8000/);
    // The key itself is never echoed.
    expect(JSON.stringify(availableModels({ OPENAI_API_KEY: 'sk-secret' }))).not.toContain('sk-secret');
  });
});
