// Storyloom's own transport for streamed chat completions: the server receives exactly what ChatOpenAI would
// have sent, the answer and usage read back are ChatOpenAI's, server-sent events are read however the bytes
// are split, and failures carry what the retry policy reads (status, Retry-After, the server's message).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { jsonSchemaFormat, streamDirect } from '../../src/models/direct-stream';
import { endpointOf, OpenAIRequestError, streamChatCompletion } from '../../src/models/openai-stream';
import { createOpenAIChatModel } from '../../src/models/providers';
import { classifyFailure } from '../../src/models/retry';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';

/** ChatOpenAI's own streaming generator, which streamDirect used to read for every OpenAI call. */
async function throughChatOpenAI(model: object, messages: BaseMessage[], options: Record<string, unknown>) {
  const generator = (model as { _streamResponseChunks(m: unknown, o: unknown): AsyncGenerator<{ text: string; message: { usage_metadata?: unknown } }> })._streamResponseChunks(messages, options);
  let text = '';
  let usage: unknown;
  for await (const chunk of generator) {
    text += chunk.text;
    usage = chunk.message.usage_metadata ?? usage;
  }
  return { text, usage };
}

describe('openai stream: the same request as ChatOpenAI', () => {
  let stub: OpenAIStub;
  beforeEach(async () => {
    stub = await startOpenAIStub();
  });
  afterEach(async () => {
    await stub.close();
  });

  it('sends the body ChatOpenAI sends and reads back the same text and usage, for text and JSON-schema calls', async () => {
    const spec = { provider: 'openai' as const, model: 'stub-model', temperature: 0.4, maxTokens: 300, topP: 0.9, seed: 7 };
    const model = createOpenAIChatModel(spec, { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'sk-test' });
    const endpoint = endpointOf(model);
    expect(endpoint).toEqual({ baseURL: stub.url, apiKey: 'sk-test' });
    const messages = [new SystemMessage('You write loglines.'), new HumanMessage('A lighthouse keeper finds a second lighthouse.')];
    const Logline = z.object({ logline: z.string(), genre: z.string() });

    for (const schema of [undefined, Logline]) {
      stub.reset();
      const theirs = await throughChatOpenAI(model, messages, {
        signal: new AbortController().signal,
        ...(schema ? { response_format: jsonSchemaFormat(schema, 'output') } : {}),
      });
      const tokens: string[] = [];
      const ours = await streamDirect(model, messages, { signal: new AbortController().signal, schema }, (text) => tokens.push(text));
      const [sentByChatOpenAI, sentByUs] = stub.requests;
      expect(stub.requests).toHaveLength(2);
      expect(sentByUs.body).toEqual(sentByChatOpenAI.body);
      expect(sentByUs.authorization).toBe('Bearer sk-test');
      expect(ours.text).toBe(theirs.text);
      expect(tokens.join('')).toBe(ours.text);
      expect(tokens.length).toBeGreaterThan(1);
      expect(theirs.usage).toMatchObject(ours.usage as object); // the same counts (ChatOpenAI adds empty details)
      expect(ours.usage?.output_tokens).toBeGreaterThan(0);
      if (schema) expect(Logline.safeParse(JSON.parse(ours.text)).success).toBe(true);
    }
  });

  it('carries the status, Retry-After and the server message of an HTTP error, as the retry policy reads them', async () => {
    stub.setBehavior({ failures: [429], retryAfterSeconds: 2 });
    const model = createOpenAIChatModel({ provider: 'openai', model: 'stub-model' }, { OPENAI_BASE_URL: stub.url });
    const failure = await streamDirect(model, [new HumanMessage('hello')], { signal: new AbortController().signal }, () => undefined).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAIRequestError);
    expect(failure).toMatchObject({ status: 429 });
    expect((failure as Error).message).toMatch(/^429 \S/);
    expect(classifyFailure(failure)).toMatchObject({ kind: 'http', status: 429, retryable: true, retryAfterMs: 2000 });
  });
});

describe('openai stream: reading server-sent events', () => {
  let server: Server;
  let url: string;
  /** What the next request is answered with: status, headers and body pieces written one by one. */
  let reply: { status: number; headers: Record<string, string>; pieces: Buffer[] };
  let connections = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', async () => {
        response.writeHead(reply.status, reply.headers);
        for (const piece of reply.pieces) {
          response.write(piece);
          await new Promise((resolve) => setImmediate(resolve));
        }
        response.end();
      });
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const model = () => createOpenAIChatModel({ provider: 'openai', model: 'stub-model' }, { OPENAI_BASE_URL: url });
  const stream = (tokens: string[] = []) =>
    streamChatCompletion(model(), endpointOf(model())!, [new HumanMessage('hi')], { signal: new AbortController().signal }, (text) => tokens.push(text));
  const chunk = (content: string) => JSON.stringify({ choices: [{ index: 0, delta: { content } }] });

  /** Splits `text` into pieces of `size` bytes (cutting through characters and line breaks alike). */
  const bytesOf = (text: string, size: number): Buffer[] => {
    const all = Buffer.from(text, 'utf8');
    const pieces: Buffer[] = [];
    for (let i = 0; i < all.length; i += size) pieces.push(all.subarray(i, i + size));
    return pieces;
  };

  it('reads events however the bytes are split: CRLF, comments, multi-line data, other fields, multi-byte characters', async () => {
    const events =
      `: keep-alive\r\n\r\n` +
      `data: ${chunk('Héloïse ')}\r\n\r\n` +
      `event: message\r\nid: 2\r\ndata: ${chunk('owns the ')}\r\n\r\n` +
      // One event's data over two lines: joined with a newline, it is still one JSON document.
      `data: {"choices":[{"index":0,\ndata: "delta":{"content":"lighthouse 🌊"}}]}\n\n` +
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } })}\r\r` +
      `data: [DONE]\n\n`;
    for (const size of [1, 2, 3, 7, 64, 10_000]) {
      reply = { status: 200, headers: { 'content-type': 'text/event-stream' }, pieces: bytesOf(events, size) };
      const tokens: string[] = [];
      const result = await stream(tokens);
      expect(result.text).toBe('Héloïse owns the lighthouse 🌊');
      expect(tokens).toEqual(['Héloïse ', 'owns the ', 'lighthouse 🌊']);
      expect(result.usage).toEqual({ input_tokens: 5, output_tokens: 4, total_tokens: 9 });
    }
  });

  it('ends at [DONE] and reads an answer whose last event has no blank line after it', async () => {
    reply = { status: 200, headers: {}, pieces: [Buffer.from(`data: ${chunk('one')}\n\ndata: ${chunk(' two')}`)] };
    expect((await stream()).text).toBe('one two');
    reply = { status: 200, headers: {}, pieces: [Buffer.from(`data: ${chunk('kept')}\n\ndata: [DONE]\n\ndata: ${chunk(' ignored')}\n\n`)] };
    expect((await stream()).text).toBe('kept');
  });

  it('sends the next calls on the same connection: an answer is read to its end, past [DONE]', async () => {
    reply = { status: 200, headers: { 'content-type': 'text/event-stream' }, pieces: [Buffer.from(`data: ${chunk('again')}\n\n`), Buffer.from('data: [DONE]\n\n')] };
    const before = connections;
    for (let i = 0; i < 3; i += 1) expect((await stream()).text).toBe('again');
    // At most one new connection (the earlier tests' kept one may serve all three); three if none were kept.
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('fails with the server message of an error event inside the stream (no status: not retried)', async () => {
    reply = {
      status: 200,
      headers: {},
      pieces: [Buffer.from(`data: ${chunk('half')}\n\ndata: ${JSON.stringify({ error: { message: 'the model is overloaded', type: 'server_error' } })}\n\n`)],
    };
    const failure = await stream().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAIRequestError);
    expect((failure as Error).message).toBe('the model is overloaded');
    expect(classifyFailure(failure)).toMatchObject({ kind: 'other', retryable: false });
  });

  it('words an HTTP error as the OpenAI client does (the error message, else the body, else "no body")', async () => {
    const failures: Array<[number, string, string]> = [
      [400, JSON.stringify({ error: { message: "Invalid 'response_format'", type: 'invalid_request_error' } }), "400 Invalid 'response_format'"],
      [502, 'Bad gateway from the proxy', '502 Bad gateway from the proxy'],
      [503, JSON.stringify({ detail: 'warming up' }), '503 {"detail":"warming up"}'],
      [500, '', '500 status code (no body)'],
    ];
    for (const [status, body, message] of failures) {
      reply = { status, headers: { 'retry-after-ms': '1500' }, pieces: body ? [Buffer.from(body)] : [] };
      const failure = await stream().catch((error: unknown) => error);
      expect((failure as Error).message).toBe(message);
      expect(classifyFailure(failure)).toMatchObject({ kind: 'http', status, retryAfterMs: 1500 });
    }
  });

  it('does not follow a redirect with the key: it says where the server moved, and is not retried', async () => {
    reply = { status: 308, headers: { location: 'https://models.example/v2/chat/completions' }, pieces: [] };
    const failure = await stream().catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/^308 the server redirected the request to https:\/\/models\.example\/v2\/chat\/completions: set OPENAI_BASE_URL/);
    expect(classifyFailure(failure)).toMatchObject({ kind: 'http', status: 308, retryable: false });
  });
});
