import { HumanMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { isStoryloomError } from '../../src/errors';
import { createModelCaller, OfflineChatModel } from '../../src/models/caller';
import { chunkText } from '../../src/models/offline-chat-model';

const ANSWER =
  'INT. LIGHTHOUSE - NIGHT. Mara climbs the spiral stairs with the letter in her fist, and the lamp turns above her like a slow, patient eye.';

function writerEcho(messages: { content: unknown }[]): string {
  return `${ANSWER} (${String(messages[messages.length - 1]!.content).length})`;
}

describe('OfflineChatModel', () => {
  test('is a LangChain chat model that says it is offline', () => {
    const model = new OfflineChatModel({ writer: () => ANSWER });
    expect(model._llmType()).toBe('storyloom-offline');
  });

  test('is deterministic for the same prompt', async () => {
    const model = new OfflineChatModel({ writer: writerEcho });
    const first = await model.invoke([new HumanMessage('a keeper and a storm')]);
    const second = await model.invoke([new HumanMessage('a keeper and a storm')]);
    const other = await model.invoke([new HumanMessage('a different prompt entirely')]);
    expect(first.content).toBe(second.content);
    expect(first.content).not.toBe(other.content);
  });

  test('streams in several chunks whose concatenation is the answer, through the callback path', async () => {
    const model = new OfflineChatModel({ writer: () => ANSWER });
    const tokens: string[] = [];
    const message = await model.invoke([new HumanMessage('go')], { callbacks: [{ handleLLMNewToken: (token: string) => void tokens.push(token) }] });
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join('')).toBe(ANSWER);
    expect(message.content).toBe(ANSWER);

    const streamed: string[] = [];
    for await (const chunk of await model.stream([new HumanMessage('go')])) streamed.push(String(chunk.content));
    expect(streamed.filter(Boolean).length).toBeGreaterThan(3);
    expect(streamed.join('')).toBe(ANSWER);
  });

  test('reports usage estimated from characters', async () => {
    const model = new OfflineChatModel({ writer: () => ANSWER });
    const message = await model.invoke([new HumanMessage('x'.repeat(400))]);
    expect(message.usage_metadata).toMatchObject({ input_tokens: 100, output_tokens: Math.ceil(ANSWER.length / 4), total_tokens: 100 + Math.ceil(ANSWER.length / 4) });
  });

  test('simulated latency delays the first token', async () => {
    // A latency far above what a loaded machine adds to an undelayed call, so the two cannot be confused.
    const latencyMs = 600;
    const model = new OfflineChatModel({ writer: () => ANSWER, latencyMs });
    const started = Date.now();
    let firstTokenAfter = -1;
    await model.invoke([new HumanMessage('go')], {
      callbacks: [{ handleLLMNewToken: () => void (firstTokenAfter < 0 && (firstTokenAfter = Date.now() - started)) }],
    });
    expect(firstTokenAfter).toBeGreaterThanOrEqual(latencyMs - 10);
    const fast = new OfflineChatModel({ writer: () => ANSWER });
    const fastStart = Date.now();
    await fast.invoke([new HumanMessage('go')]);
    expect(Date.now() - fastStart).toBeLessThan(latencyMs - 10);
  });

  test('honours abort mid-stream', async () => {
    const model = new OfflineChatModel({ writer: () => ANSWER.repeat(50) });
    const controller = new AbortController();
    const tokens: string[] = [];
    const call = model.invoke([new HumanMessage('go')], {
      signal: controller.signal,
      callbacks: [
        {
          handleLLMNewToken: (token: string) => {
            tokens.push(token);
            if (tokens.length === 3) controller.abort();
          },
        },
      ],
    });
    await expect(call).rejects.toThrow();
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(tokens.join('').length).toBeLessThan(ANSWER.length * 50);
  });

  test('chunks end at word boundaries and lose nothing', () => {
    const chunks = chunkText(ANSWER, 24);
    expect(chunks.join('')).toBe(ANSWER);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith(' ')).toBe(true);
    expect(chunkText('', 24)).toEqual([]);
  });
});

describe('createModelCaller with the offline provider', () => {
  const Scene = z.strictObject({ heading: z.string().regex(/^(INT|EXT)\./), characters: z.array(z.string().min(1)).min(1) });

  test('text calls stream the offline writer answer with usage', async () => {
    const tokens: Array<[string, string | undefined]> = [];
    const usage: unknown[] = [];
    const caller = createModelCaller({
      spec: { provider: 'offline' },
      env: {},
      hooks: { onToken: (text, label) => tokens.push([text, label]), onUsage: (u, label) => usage.push([u, label]) },
    });
    const answer = await caller.text({ label: 'scene-1', prompt: 'write it', offline: () => ANSWER });
    expect(answer).toBe(ANSWER);
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.map(([text]) => text).join('')).toBe(ANSWER);
    expect(new Set(tokens.map(([, label]) => label))).toEqual(new Set(['scene-1']));
    expect(usage).toEqual([[{ inputTokens: 2, outputTokens: Math.ceil(ANSWER.length / 4) }, 'scene-1']]);
  });

  test('json calls go through streaming, JSON parsing and schema validation', async () => {
    const tokens: string[] = [];
    const caller = createModelCaller({ spec: { provider: 'offline' }, env: {}, hooks: { onToken: (t) => tokens.push(t) } });
    const value = { heading: 'INT. LIGHTHOUSE - NIGHT', characters: ['Mara', 'Tomas'] };
    const result = await caller.json({ prompt: 'scene', schema: Scene, offline: () => value });
    expect(result).toEqual(value);
    expect(JSON.parse(tokens.join(''))).toEqual(value);
  });

  test('an offline writer whose output breaks the schema fails with the schema problem named', async () => {
    const caller = createModelCaller({ spec: { provider: 'offline' }, env: {} });
    const call = caller.json({ label: 'beats', prompt: 'scene', schema: Scene, offline: () => ({ heading: 'LIGHTHOUSE', characters: [] }) as never });
    await expect(call).rejects.toThrow(/offline model wrote output for 'beats'.*heading.*characters/);
    await call.catch((error) => expect(isStoryloomError(error, 'model_error')).toBe(true));
  });

  test('an abort cancels an offline call in flight and no further call starts', async () => {
    const controller = new AbortController();
    const caller = createModelCaller({ spec: { provider: 'offline', latencyMs: 5_000 }, env: {}, signal: controller.signal });
    const started = Date.now();
    const call = caller.text({ prompt: 'slow', offline: () => ANSWER });
    setTimeout(() => controller.abort(), 30);
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(caller.text({ prompt: 'again', offline: () => ANSWER })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
