// ChatOllama against the stub's /api/chat (NDJSON streaming, `format` JSON Schema), with the same retry path.
import { z } from 'zod';
import { createModelCaller } from '../../src/models/caller';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';

const Setting = z.strictObject({ world: z.string().min(1), locations: z.array(z.strictObject({ name: z.string().min(1), interior: z.boolean() })).min(2) });

let stub: OpenAIStub;
beforeEach(async () => {
  stub = await startOpenAIStub();
});
afterEach(() => stub.close());

test('ollama: streamed text with usage, structured output via format, retries on 500', async () => {
  const tokens: string[] = [];
  const usage: unknown[] = [];
  const retries: unknown[] = [];
  stub.setBehavior({ failures: [500] });
  const caller = createModelCaller({
    spec: { provider: 'ollama', model: 'llama3.1' },
    env: { OLLAMA_BASE_URL: stub.origin },
    retryBaseMs: 5,
    hooks: { onToken: (t) => tokens.push(t), onUsage: (u) => usage.push(u), onRetry: (r) => retries.push(r) },
  });
  const text = await caller.text({ prompt: 'The glassblower hides a key.', offline: () => '' });
  expect(text).toMatch(/glassblower|hides/);
  expect(tokens.length).toBeGreaterThan(2);
  expect(tokens.join('')).toBe(text);
  expect(retries).toHaveLength(1);
  expect(stub.requests.map((r) => [r.api, r.status, r.model])).toEqual([
    ['ollama', 500, 'llama3.1'],
    ['ollama', 200, 'llama3.1'],
  ]);
  expect(usage).toEqual([{ inputTokens: expect.any(Number), outputTokens: Math.ceil(text.length / 4) }]);

  const setting = await caller.json({ prompt: 'Describe the world.', schema: Setting, offline: () => ({ world: '', locations: [] }) });
  expect(Setting.parse(setting).locations.length).toBeGreaterThanOrEqual(2);
  expect(stub.requests[2]!.responseFormat).toMatchObject({ type: 'json_schema', json_schema: { schema: { type: 'object' } } });
});
