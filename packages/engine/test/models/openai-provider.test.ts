import { createServer } from 'node:net';
import { z } from 'zod';
import { isStoryloomError } from '../../src/errors';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { createModelCaller, type ModelCallerOptions } from '../../src/models/caller';
import { createOpenAIChatModel } from '../../src/models/providers';
import { streamsDirectly } from '../../src/models/direct-stream';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';

const Cast = z.strictObject({
  characters: z
    .array(z.strictObject({ name: z.string().min(1), role: z.string().min(1), want: z.string().min(1) }))
    .min(1),
});
type Cast = z.infer<typeof Cast>;
const noOffline = (): never => {
  throw new Error('the offline writer must not be used for a remote provider');
};

/** Makes LangChain stream a call (as Storyloom's token listener does) without keeping anything. */
class StreamingListener extends BaseCallbackHandler {
  name = 'streaming-listener';
  readonly lc_prefer_streaming = true;
}

let stub: OpenAIStub;
beforeEach(async () => {
  stub = await startOpenAIStub();
});
afterEach(async () => {
  await stub.close();
});

interface Recorded {
  tokens: Array<[string, string | undefined]>;
  retries: Array<{ attempt: number; delayMs: number; error: string; label: string | undefined }>;
  usage: Array<[{ inputTokens: number; outputTokens: number }, string | undefined]>;
}

function openaiCaller(overrides: Partial<ModelCallerOptions> = {}) {
  const recorded: Recorded = { tokens: [], retries: [], usage: [] };
  const caller = createModelCaller({
    spec: { provider: 'openai', model: 'gpt-4o-mini' },
    env: { OPENAI_BASE_URL: stub.url },
    retryBaseMs: 10,
    hooks: {
      onToken: (text, label) => recorded.tokens.push([text, label]),
      onRetry: (info) => recorded.retries.push(info),
      onUsage: (usage, label) => recorded.usage.push([usage, label]),
    },
    ...overrides,
  });
  return { caller, recorded };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('openai provider against an OpenAI-compatible stub', () => {
  test('plain text: the prompt and system message are sent, the reply comes back streamed, usage recorded', async () => {
    const { caller, recorded } = openaiCaller();
    const text = await caller.text({ label: 'logline', system: 'You are a story editor.', prompt: 'Premise: a lighthouse keeper finds a letter.', offline: noOffline });
    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    expect(request!.model).toBe('gpt-4o-mini');
    expect(request!.messages).toEqual([
      { role: 'system', content: 'You are a story editor.' },
      { role: 'user', content: 'Premise: a lighthouse keeper finds a letter.' },
    ]);
    expect(request!.stream).toBe(true);
    expect(request!.streamOptions).toEqual({ include_usage: true });
    expect(request!.responseFormat).toBeUndefined();
    expect(text).toBe(request!.reply!.content);
    expect(text).toMatch(/lighthouse|keeper|letter/);
    // Streamed: several chunks, in order, labelled.
    expect(recorded.tokens.length).toBeGreaterThan(2);
    expect(recorded.tokens.map(([t]) => t).join('')).toBe(text);
    expect(recorded.tokens.every(([, label]) => label === 'logline')).toBe(true);
    // Usage is the server's (final usage chunk), not an estimate.
    const body = request!.body as { messages: Array<{ content: string }> };
    const promptChars = body.messages.map((m) => m.content).join('\n').length;
    expect(recorded.usage).toEqual([[{ inputTokens: Math.ceil(promptChars / 4), outputTokens: Math.ceil(text.length / 4) }, 'logline']]);
  });

  test("calls read the model's stream directly, sending the very request LangChain's invoke and withStructuredOutput send", async () => {
    expect(streamsDirectly('openai')).toBe(true);
    const { caller, recorded } = openaiCaller();
    const system = 'You are a story editor.';
    const prompt = 'Premise: a lighthouse keeper finds a letter.';
    const text = await caller.text({ label: 'logline', system, prompt, offline: noOffline });
    const cast = await caller.json({ label: 'cast', prompt, schema: Cast, offline: noOffline });
    // The same two requests through LangChain's own Runnable path (streaming, as a token listener makes it),
    // on the model Storyloom builds.
    const model = createOpenAIChatModel({ provider: 'openai', model: 'gpt-4o-mini' }, { OPENAI_BASE_URL: stub.url });
    const config = { callbacks: [new StreamingListener()] };
    const viaInvoke = await model.invoke([new SystemMessage(system), new HumanMessage(prompt)], config);
    const structured = model.withStructuredOutput(Cast, { method: 'jsonSchema', includeRaw: true, name: 'output' });
    await structured.invoke([new HumanMessage(prompt)], config);
    expect(stub.requests).toHaveLength(4);
    const [directText, directJson, invokedText, invokedJson] = stub.requests.map((request) => request.body);
    expect(directText).toEqual(invokedText);
    expect(directJson).toEqual(invokedJson);
    expect((directJson as { response_format: { type: string } }).response_format.type).toBe('json_schema');
    // The direct path still streams, counts usage and validates.
    expect(text).toBe(viaInvoke.content);
    expect(Cast.parse(cast)).toEqual(cast);
    expect(recorded.tokens.filter(([, label]) => label === 'logline').map(([token]) => token).join('')).toBe(text);
    expect(recorded.usage.map(([usage, label]) => [label, usage.inputTokens > 0, usage.outputTokens > 0])).toEqual([
      ['logline', true, true],
      ['cast', true, true],
    ]);
  });

  test('with LangSmith tracing on, calls go through invoke (its callbacks record the trace); in-process models always do', () => {
    const before = process.env.LANGSMITH_TRACING;
    try {
      process.env.LANGSMITH_TRACING = 'true';
      expect(streamsDirectly('openai')).toBe(false);
      process.env.LANGSMITH_TRACING = 'false';
      expect(streamsDirectly('openai')).toBe(true);
      expect(streamsDirectly('offline')).toBe(true);
      expect(streamsDirectly('local')).toBe(false);
      expect(streamsDirectly('ollama')).toBe(false);
    } finally {
      if (before === undefined) delete process.env.LANGSMITH_TRACING;
      else process.env.LANGSMITH_TRACING = before;
    }
  });

  test('the key comes from OPENAI_API_KEY; a local server without one gets a placeholder; no key and no server is refused', async () => {
    await openaiCaller({ env: { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'sk-test' }, spec: { provider: 'openai', model: 'm1' } }).caller.text({ prompt: 'hi', offline: noOffline });
    await openaiCaller().caller.text({ prompt: 'hi', offline: noOffline });
    expect(stub.requests.map((r) => [r.model, r.authorization])).toEqual([
      ['m1', 'Bearer sk-test'],
      ['gpt-4o-mini', 'Bearer not-needed'],
    ]);
    const error = await createModelCaller({ spec: { provider: 'openai' }, env: {} }).text({ prompt: 'x', offline: noOffline }).catch((e) => e);
    expect(isStoryloomError(error, 'invalid_input')).toBe(true);
    expect(error.message).toMatch(/OPENAI_API_KEY/);
  });

  test('spec.baseUrl wins over OPENAI_BASE_URL', async () => {
    const { caller } = openaiCaller({ spec: { provider: 'openai', model: 'x', baseUrl: stub.url }, env: { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' } });
    await caller.text({ prompt: 'hello there', offline: noOffline });
    expect(stub.requests).toHaveLength(1);
  });

  test('structured: response_format json_schema is sent, the JSON streams and validates', async () => {
    const { caller, recorded } = openaiCaller();
    const cast: Cast = await caller.json({ label: 'cast', prompt: 'Create the cast of a lighthouse story.', schema: Cast, offline: noOffline });
    expect(stub.requests).toHaveLength(1);
    const format = stub.requests[0]!.responseFormat!;
    expect(format.type).toBe('json_schema');
    expect(format.json_schema!.schema).toMatchObject({ type: 'object', required: ['characters'] });
    expect(Cast.parse(cast)).toEqual(cast);
    expect(cast.characters.length).toBeGreaterThan(0);
    expect(JSON.parse(recorded.tokens.map(([t]) => t).join(''))).toEqual(cast);
    expect(recorded.tokens.length).toBeGreaterThan(2);
    expect(recorded.usage).toHaveLength(1);
  });

  test('fallback when the server refuses json_schema: JSON-only text prompt with the schema, and it is remembered', async () => {
    stub.setBehavior({ jsonSchemaSupported: false, jsonChatter: true });
    const { caller, recorded } = openaiCaller();
    const cast = await caller.json({ label: 'cast', prompt: 'Create the cast.', schema: Cast, offline: noOffline });
    expect(Cast.parse(cast)).toEqual(cast);
    expect(stub.requests.map((r) => [r.status, r.responseFormat?.type])).toEqual([
      [400, 'json_schema'],
      [200, undefined],
    ]);
    const fallbackPrompt = stub.requests[1]!.prompt;
    expect(fallbackPrompt).toMatch(/^Create the cast\.\n\nAnswer with JSON only/);
    expect(fallbackPrompt).toContain('JSON Schema: {');
    // The reply had chatter and a code fence around the JSON.
    expect(stub.requests[1]!.reply!.content).toMatch(/^Sure, here is/);
    // A 400 is not a transient failure: no retry.
    expect(recorded.retries).toEqual([]);

    await caller.json({ label: 'cast-2', prompt: 'Again.', schema: Cast, offline: noOffline });
    expect(stub.requests).toHaveLength(3);
    expect(stub.requests[2]!.responseFormat).toBeUndefined();
  });

  test('a schema the server calls invalid falls back for that call only', async () => {
    let refused = 0;
    stub.setBehavior({
      respond: (request) => {
        if (request.responseFormat && refused++ === 0) {
          return { status: 400, body: { error: { message: "Invalid schema for response_format 'output': 'required' must list every property", type: 'invalid_request_error' } } };
        }
        return undefined;
      },
    });
    const { caller } = openaiCaller();
    Cast.parse(await caller.json({ prompt: 'Cast one.', schema: Cast, offline: noOffline }));
    Cast.parse(await caller.json({ prompt: 'Cast two.', schema: Cast, offline: noOffline }));
    expect(stub.requests.map((r) => [r.status, r.responseFormat?.type])).toEqual([
      [400, 'json_schema'],
      [200, undefined],
      [200, 'json_schema'],
    ]);
  });

  test('unparsable JSON from the text path gets one repair attempt that names the problem', async () => {
    stub.setBehavior({ jsonSchemaSupported: false }); // answered 400 before `respond` is asked
    let calls = 0;
    stub.setBehavior({
      respond: (request) => {
        calls++;
        if (calls === 1) return '{"characters": [{"name": "Mara", "role": "keeper"}]}'; // `want` missing
        return undefined;
      },
    });
    const { caller } = openaiCaller();
    const cast = await caller.json({ label: 'cast', prompt: 'Create the cast.', schema: Cast, offline: noOffline });
    expect(Cast.parse(cast)).toEqual(cast);
    expect(stub.requests).toHaveLength(3);
    const repair = stub.requests[2]!;
    expect(repair.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(repair.messages[1]!.content).toContain('"Mara"');
    expect(repair.prompt).toMatch(/could not be used: .*characters\.0\.want/);
  });

  test('a server that never gives usable JSON fails clearly after the repair attempt', async () => {
    stub.setBehavior({ respond: () => 'I cannot do that.' });
    const { caller } = openaiCaller();
    const error = await caller.json({ label: 'cast', prompt: 'Create the cast.', schema: Cast, offline: noOffline }).catch((e) => e);
    expect(isStoryloomError(error, 'model_error')).toBe(true);
    expect(error.message).toMatch(/openai \(http:\/\/127\.0\.0\.1:\d+\/v1\) gave no usable JSON for 'cast' even after a repair attempt: .*no JSON value/);
    // structured attempt (unusable) → JSON-only text → repair
    expect(stub.requests.map((r) => Boolean(r.responseFormat))).toEqual([true, false, false]);
  });

  test('a 429 then success: one retry reported, then the answer', async () => {
    stub.setBehavior({ failures: [429] });
    const { caller, recorded } = openaiCaller();
    const text = await caller.text({ label: 'beats', prompt: 'Write beats about a harbour.', offline: noOffline });
    expect(text).toMatch(/harbour/);
    expect(stub.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(recorded.retries).toHaveLength(1);
    expect(recorded.retries[0]).toMatchObject({ attempt: 1, label: 'beats', error: expect.stringMatching(/^HTTP 429/) });
    expect(recorded.usage).toHaveLength(1);
  });

  test('Retry-After is honoured (capped)', async () => {
    stub.setBehavior({ failures: [429], retryAfterSeconds: 1 });
    const { caller, recorded } = openaiCaller({ maxRetryDelayMs: 300 });
    await caller.text({ prompt: 'hello harbour', offline: noOffline });
    expect(recorded.retries.map((r) => r.delayMs)).toEqual([300]);
    expect(stub.requests[1]!.at - stub.requests[0]!.at).toBeGreaterThanOrEqual(290);
  });

  test('a 500 then success, also for structured calls', async () => {
    stub.setBehavior({ failures: [500, 502] });
    const { caller, recorded } = openaiCaller();
    const cast = await caller.json({ prompt: 'cast', schema: Cast, offline: noOffline });
    expect(Cast.parse(cast)).toEqual(cast);
    expect(stub.requests.map((r) => r.status)).toEqual([500, 502, 200]);
    expect(recorded.retries.map((r) => r.attempt)).toEqual([1, 2]);
    // Backoff grows: the second wait is about twice the first (jitter ±25 %).
    expect(recorded.retries[1]!.delayMs).toBeGreaterThan(recorded.retries[0]!.delayMs * 1.1);
  });

  test('a dropped connection is retried like a network error', async () => {
    stub.setBehavior({ failures: ['drop'] });
    const { caller, recorded } = openaiCaller();
    await caller.text({ prompt: 'hello', offline: noOffline });
    expect(recorded.retries).toHaveLength(1);
    expect(stub.requests).toHaveLength(2);
  });

  test('a stream cut mid-answer is retried, and what the cut request spent counts beside the full answer', async () => {
    stub.setBehavior({ failures: ['cut', 500] });
    const { caller, recorded } = openaiCaller();
    const text = await caller.text({ label: 'logline', prompt: 'Premise: a lighthouse keeper finds a letter.', offline: noOffline });
    expect(stub.requests.map((r) => r.status)).toEqual(['cut', 500, 200]);
    expect(recorded.retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(text).toBe(stub.requests[2]!.reply!.content);
    // The cut request: estimated from its prompt and its first words; the 500 streamed nothing and costs nothing;
    // the answer: the server's own usage.
    const [cut, answered] = recorded.usage.map(([usage]) => usage);
    expect(recorded.usage).toHaveLength(2);
    expect(cut.inputTokens).toBeGreaterThan(0);
    expect(cut.outputTokens).toBeGreaterThan(0);
    expect(cut.outputTokens).toBeLessThan(answered.outputTokens);
    expect(answered).toEqual({ inputTokens: stub.requests[2]!.usage!.prompt_tokens, outputTokens: stub.requests[2]!.usage!.completion_tokens });
  });

  test('a 4xx other than 429 is not retried and says what the server said', async () => {
    stub.setBehavior({ respond: () => ({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } }) });
    const { caller, recorded } = openaiCaller();
    const error = await caller.text({ prompt: 'hello', offline: noOffline }).catch((e) => e);
    expect(isStoryloomError(error, 'model_error')).toBe(true);
    expect(error.message).toMatch(/^openai \(http:\/\/127\.0\.0\.1:\d+\/v1\) rejected the request: HTTP 401: Incorrect API key provided/);
    expect(recorded.retries).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });

  test('too many 5xx: fails after maxRetries + 1 attempts with status and count', async () => {
    stub.setBehavior({ failures: [500, 500, 500] });
    const { caller, recorded } = openaiCaller({ maxRetries: 2 });
    const error = await caller.text({ prompt: 'hello', offline: noOffline }).catch((e) => e);
    expect(error.message).toMatch(/^openai \(http:\/\/127\.0\.0\.1:\d+\/v1\) failed after 3 attempts: HTTP 500/);
    expect(recorded.retries).toHaveLength(2);
    expect(stub.requests).toHaveLength(3);
  });

  test('a server that is down fails with a clear message after the retries', async () => {
    const port = await closedPort();
    const { caller, recorded } = openaiCaller({ env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` } });
    const error = await caller.text({ label: 'logline', prompt: 'hello', offline: noOffline }).catch((e) => e);
    expect(isStoryloomError(error, 'model_error')).toBe(true);
    expect(error.message).toBe(`openai (http://127.0.0.1:${port}/v1) unreachable after 5 attempts: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(recorded.retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(recorded.retries.every((r) => /ECONNREFUSED/.test(r.error))).toBe(true);
  });

  test('a timeout per attempt: a hanging request is cut and retried', async () => {
    stub.setBehavior({ failures: ['hang'] });
    // Long enough that the retry's real answer always comes within it, even on a loaded machine.
    const timeoutMs = 1_000;
    const { caller, recorded } = openaiCaller({ timeoutMs });
    const started = Date.now();
    const text = await caller.text({ prompt: 'hello harbour', offline: noOffline });
    expect(text).toMatch(/harbour/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs - 10);
    expect(recorded.retries).toEqual([expect.objectContaining({ attempt: 1, error: `no answer within ${timeoutMs} ms` })]);
  });

  test('the timeout is about silence: a slow answer that keeps streaming is not cut', async () => {
    // Gaps of 80 ms against a 1 s silence timeout: a loaded machine can stall a stream for a few hundred ms
    // without that being silence. 30 words take ~2.3 s in total, over twice the timeout.
    const slowAnswer = Array.from({ length: 30 }, (_, i) => `tide${i}`).join(' ');
    stub.setBehavior({ tokenDelayMs: 80, wordsPerChunk: 1, respond: () => slowAnswer });
    const timeoutMs = 1_000;
    const { caller, recorded } = openaiCaller({ timeoutMs });
    const started = Date.now();
    const text = await caller.text({ prompt: 'A slow tide over the harbour wall.', offline: noOffline });
    expect(Date.now() - started).toBeGreaterThan(2 * timeoutMs); // well over the timeout in total
    expect(text).toBe(stub.requests[0]!.reply!.content);
    expect(recorded.retries).toEqual([]);
  });

  test('a stream that goes silent after its first words is cut once the silence lasts the timeout, and retried', async () => {
    stub.setBehavior({ failures: ['stall'], wordsPerChunk: 1 });
    const timeoutMs = 400;
    const { caller, recorded } = openaiCaller({ timeoutMs });
    const started = Date.now();
    const text = await caller.text({ prompt: 'The keeper stops mid-sentence.', offline: noOffline });
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs - 10);
    expect(stub.requests.map((r) => r.status)).toEqual(['stalled', 200]);
    expect(text).toBe(stub.requests[1]!.reply!.content);
    expect(recorded.retries).toEqual([expect.objectContaining({ attempt: 1, error: `no answer within ${timeoutMs} ms` })]);
  });

  test('every attempt timing out ends in a timeout error', async () => {
    stub.setBehavior({ failures: ['hang', 'hang'] });
    const { caller } = openaiCaller({ timeoutMs: 150, maxRetries: 1 });
    await expect(caller.text({ prompt: 'x', offline: noOffline })).rejects.toThrow(/^openai \(.*\) timed out after 2 attempts: no answer within 150 ms$/);
  });

  test('abort mid-stream stops at once with a cancellation and no retry', async () => {
    stub.setBehavior({ tokenDelayMs: 100, wordsPerChunk: 1 });
    const controller = new AbortController();
    const { caller, recorded } = openaiCaller({ signal: controller.signal });
    const started = Date.now();
    const call = caller.text({
      label: 'scene-2',
      prompt: 'A long scene about the lighthouse, the storm, the letter and the keeper who waits.',
      offline: noOffline,
    });
    const firstToken = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (recorded.tokens.length > 0) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    await firstToken;
    controller.abort();
    const error = await call.catch((e) => e);
    expect(isStoryloomError(error, 'cancelled')).toBe(true);
    expect(error.message).toMatch(/scene-2/);
    expect(Date.now() - started).toBeLessThan(1_000);
    const full = stub.requests[0]!.reply!.content!;
    expect(recorded.tokens.map(([t]) => t).join('').length).toBeLessThan(full.length);
    expect(recorded.retries).toEqual([]);
    // The cut-off request still counts: its prompt and the words it wrote, estimated (no usage chunk came).
    const streamed = recorded.tokens.map(([t]) => t).join('');
    const prompt = stub.requests[0]!.messages.map((m) => m.content).join('\n');
    expect(recorded.usage).toEqual([[{ inputTokens: Math.ceil(prompt.length / 4), outputTokens: Math.ceil(streamed.length / 4) }, 'scene-2']]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(stub.requests).toHaveLength(1);
  });

  test('abort during a backoff wait cancels without another attempt', async () => {
    stub.setBehavior({ failures: [500] });
    const controller = new AbortController();
    const { caller } = openaiCaller({ signal: controller.signal, retryBaseMs: 5_000 });
    const call = caller.text({ prompt: 'x', offline: noOffline });
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(stub.requests).toHaveLength(1);
  });
});
