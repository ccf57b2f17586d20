// The sampling fields of a model spec reach the servers that take them: OpenAI-compatible servers get top_p and
// seed (their API has no top-k or repeat penalty), Ollama gets top_k, top_p, seed and repeat_penalty.
import { createModelCaller } from '../../src/models/caller';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';

let stub: OpenAIStub;
beforeEach(async () => {
  stub = await startOpenAIStub();
});
afterEach(() => stub.close());

const sampling = { temperature: 0.4, topK: 12, topP: 0.8, seed: 77, repeatPenalty: 1.3, maxTokens: 64 };
const call = { prompt: 'The glassblower hides a key.', offline: () => '' };

test('openai: temperature, top_p, seed and the token limit are sent', async () => {
  await createModelCaller({ spec: { provider: 'openai', model: 'm', ...sampling }, env: { OPENAI_BASE_URL: `${stub.origin}/v1` } }).text(call);
  const body = stub.requests[0]!.body as Record<string, unknown>;
  expect(body).toMatchObject({ temperature: 0.4, top_p: 0.8, seed: 77 });
  expect(body.max_tokens ?? body.max_completion_tokens).toBe(64);
});

test('ollama: temperature, top_k, top_p, seed, repeat_penalty and num_predict are sent', async () => {
  await createModelCaller({ spec: { provider: 'ollama', model: 'm', ...sampling }, env: { OLLAMA_BASE_URL: stub.origin } }).text(call);
  const body = stub.requests[0]!.body as { options?: Record<string, unknown> };
  expect(body.options).toMatchObject({ temperature: 0.4, top_k: 12, top_p: 0.8, seed: 77, repeat_penalty: 1.3, num_predict: 64 });
});
