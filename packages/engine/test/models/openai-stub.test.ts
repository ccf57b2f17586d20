// The shared test stub itself: schema-walking replies, control endpoints, and running as its own process.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { createModelCaller } from '../../src/models/caller';
import { documentForSchema, startOpenAIStub, STUB_SERVER_SCRIPT } from '../../../../test/support/openai-stub';

describe('documentForSchema', () => {
  test('honours required properties, minItems/maxItems, enums, consts, ranges, $ref and nullable unions', () => {
    const Schema = z.strictObject({
      kind: z.enum(['scene', 'act']),
      fixed: z.literal('v1'),
      score: z.number().int().min(1).max(10),
      ratio: z.number().min(0.5).max(0.9),
      scenes: z.array(z.strictObject({ number: z.number().int().min(1), heading: z.string().min(1), note: z.string().nullable() })).min(5),
      tags: z.array(z.string()).max(1),
      flag: z.boolean(),
    });
    const doc = documentForSchema(z.toJSONSchema(Schema), 'A harbour town and a drowned bell.');
    expect(Schema.safeParse(doc).error).toBeUndefined();
    const parsed = Schema.parse(doc);
    expect(parsed.scenes).toHaveLength(5);
    expect(parsed.scenes.map((s) => s.number)).toEqual([1, 2, 3, 4, 5]);
    expect(parsed.tags).toHaveLength(1);

    const Node = z.object({ name: z.string(), children: z.array(z.lazy((): z.ZodType => Node)).max(0) });
    expect(Node.safeParse(documentForSchema(z.toJSONSchema(Node), 'x')).error).toBeUndefined();
  });

  test('strings come from the prompt', () => {
    const doc = documentForSchema({ type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] }, 'The cartographer burns every map of Velmoor.') as { summary: string };
    expect(doc.summary).toMatch(/cartographer|velmoor|burns|every/);
  });
});

describe('stub behaviour', () => {
  test('the failure share is seeded: the same seed gives the same sequence', async () => {
    const statuses: Array<Array<number | string | undefined>> = [];
    for (let run = 0; run < 2; run++) {
      const stub = await startOpenAIStub({ failureRate: 0.5, seed: 42 });
      for (let i = 0; i < 12; i++) {
        await fetch(`${stub.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
      }
      statuses.push(stub.requests.map((r) => r.status));
      await stub.close();
    }
    expect(statuses[0]).toEqual(statuses[1]);
    expect(statuses[0]!.filter((s) => s !== 200).length).toBeGreaterThan(0);
    expect(statuses[0]!.filter((s) => s === 200).length).toBeGreaterThan(0);
  });

  test('non-streamed replies carry usage; tool-call requests are answered with arguments that fit the tool schema', async () => {
    const stub = await startOpenAIStub();
    const parameters = { type: 'object', properties: { title: { type: 'string' }, beats: { type: 'array', items: { type: 'string' }, minItems: 2 } }, required: ['title', 'beats'] };
    const response = await fetch(`${stub.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'outline a storm' }], tools: [{ type: 'function', function: { name: 'extract', parameters } }] }),
    });
    const body = (await response.json()) as { choices: Array<{ message: { tool_calls: Array<{ function: { name: string; arguments: string } }> } }>; usage: { total_tokens: number } };
    const call = body.choices[0]!.message.tool_calls[0]!.function;
    expect(call.name).toBe('extract');
    expect(JSON.parse(call.arguments).beats.length).toBeGreaterThanOrEqual(2);
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    const models = (await (await fetch(`${stub.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toContain('stub-model');
    await stub.close();
  });
});

describe('the stub in its own process', () => {
  test('prints its URL, serves the caller, and exposes requests and behaviour over HTTP', async () => {
    const child = spawn(process.execPath, [STUB_SERVER_SCRIPT, '--port', '0', '--latency', '20', '--failures', '500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const firstLine = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
      const { url, origin } = JSON.parse(firstLine) as { url: string; origin: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const retries: number[] = [];
      const caller = createModelCaller({ spec: { provider: 'openai', model: 'stub-model' }, env: { OPENAI_BASE_URL: url }, retryBaseMs: 5, hooks: { onRetry: (r) => retries.push(r.attempt) } });
      expect(await caller.text({ prompt: 'The ferryman counts coins.', offline: () => '' })).toMatch(/ferryman|counts|coins/);
      expect(retries).toEqual([1]);

      const recorded = (await (await fetch(`${origin}/_stub/requests`)).json()) as Array<{ status: number; prompt: string }>;
      expect(recorded.map((r) => r.status)).toEqual([500, 200]);
      expect(recorded[1]!.prompt).toBe('The ferryman counts coins.');

      await fetch(`${origin}/_stub/behavior`, { method: 'POST', body: JSON.stringify({ failures: [429] }) });
      await fetch(`${origin}/_stub/reset`, { method: 'POST' });
      await caller.text({ prompt: 'again', offline: () => '' });
      const after = (await (await fetch(`${origin}/_stub/requests`)).json()) as Array<{ status: number }>;
      expect(after.map((r) => r.status)).toEqual([429, 200]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
