// One streamed chat completion from an OpenAI-compatible server, sent and read here. The request is ChatOpenAI's
// own: its invocation parameters for the call and its conversion of the messages, so a server receives what
// LangChain would send. Only the transport is ours: one HTTP request on a kept-alive connection, the
// server-sent events read line by line, the usage from the last chunk. Through ChatOpenAI each streamed piece
// becomes an AIMessageChunk inside a ChatGenerationChunk, and the OpenAI SDK under it formats log details,
// builds headers and goes through fetch's Request, Response and web streams per request; on a fast server that
// costs more CPU than the request itself, and in a wide fan-out it delays the last requests and answers
// (bench/peers). node:http does the same exchange for about half of fetch's CPU.
// Failures keep the shape the SDK gives them, which retry.ts reads: an HTTP error carries its status, its
// headers (Retry-After) and `<status> <server's message>`; a network failure is the socket's own error.
import type { BaseMessage, UsageMetadata } from '@langchain/core/messages';
import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ChatOpenAI } from '@langchain/openai';
import type { StreamedReply } from './direct-stream';

/** Where a ChatOpenAI sends its requests, and with which key. */
export interface OpenAIEndpoint {
  baseURL: string;
  apiKey: string;
}

/** A reply with an HTTP error status (or an error event inside a stream, which has none). */
export class OpenAIRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly headers: IncomingHttpHeaders | undefined,
    /** The server's `error` object, when it sent one. */
    readonly error: unknown,
  ) {
    super(message);
    this.name = 'OpenAIRequestError';
  }
}

/**
 * How long an idle kept-alive connection is kept. Servers close theirs after a few seconds (Node's own server
 * after 5 s); a request sent on one they just closed fails and is retried, so ours close first.
 */
const IDLE_CONNECTION_MS = 4_000;

interface CompletionChunk {
  choices?: Array<{ delta?: { content?: unknown } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  error?: unknown;
}

/** The endpoint each ChatOpenAI built by providers.ts was given (weakly: the models are dropped from a bounded cache). */
const endpoints = new WeakMap<object, OpenAIEndpoint>();

export function rememberEndpoint(model: ChatOpenAI, endpoint: OpenAIEndpoint): void {
  endpoints.set(model, endpoint);
}

/** The endpoint of a ChatOpenAI built by providers.ts; undefined for any other model. */
export function endpointOf(model: object): OpenAIEndpoint | undefined {
  return endpoints.get(model);
}

/* eslint-disable @typescript-eslint/no-require-imports */
const convertMessages = () =>
  (require('@langchain/openai') as typeof import('@langchain/openai')).convertMessagesToCompletionsMessageParams;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Whether this call can go out here: ChatOpenAI sends some models and options to OpenAI's Responses API
 * instead, whose stream is another format (those stay with ChatOpenAI).
 */
export function completesChat(model: ChatOpenAI, callOptions: Record<string, unknown>): boolean {
  return !(model as unknown as { _useResponsesApi(options: unknown): boolean })._useResponsesApi(callOptions);
}

/**
 * Streams one reply of `model` (a ChatOpenAI, for its request parameters) from `endpoint`, handing each piece
 * of text to `onToken` as it arrives. `callOptions` are the call options ChatOpenAI would be given (signal,
 * response_format).
 */
export async function streamChatCompletion(
  model: ChatOpenAI,
  endpoint: OpenAIEndpoint,
  messages: BaseMessage[],
  callOptions: Record<string, unknown> & { signal: AbortSignal },
  onToken: (text: string) => void,
): Promise<StreamedReply> {
  const body = {
    ...model.invocationParams(callOptions as Parameters<ChatOpenAI['invocationParams']>[0]),
    messages: convertMessages()({ messages, model: model.model }),
    stream: true,
  };
  const response = await post(new URL(`${endpoint.baseURL.replace(/\/+$/, '')}/chat/completions`), endpoint.apiKey, JSON.stringify(body), callOptions.signal);
  response.setEncoding('utf8');
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) throw await httpError(status, response);

  let text = '';
  let usage: UsageMetadata | undefined;
  let done = false;
  for await (const data of serverSentData(response as AsyncIterable<string>)) {
    // Read on to the end after [DONE]: a response left unread would close its connection instead of keeping it.
    if (done || data.startsWith('[DONE]')) {
      done = true;
      continue;
    }
    const chunk = JSON.parse(data) as CompletionChunk;
    if (chunk.error) throw new OpenAIRequestError(errorMessage(undefined, chunk.error, undefined), undefined, response.headers, chunk.error);
    if (chunk.usage) {
      const { prompt_tokens: input = 0, completion_tokens: output = 0 } = chunk.usage;
      usage = { input_tokens: input, output_tokens: output, total_tokens: chunk.usage.total_tokens ?? input + output };
    }
    const content = chunk.choices?.[0]?.delta?.content;
    if (typeof content === 'string' && content.length > 0) {
      text += content;
      onToken(content);
    }
  }
  return { text, usage };
}

/** Kept-alive connections for every call of this process (idle ones do not keep it running). */
const agents = { http: new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }), https: new HttpsAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }) };

/** Resolves with the response once its status and headers have arrived. */
function post(url: URL, apiKey: string, body: string, signal: AbortSignal): Promise<IncomingMessage> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', agent: secure ? agents.https : agents.http, headers: requestHeaders(apiKey, Buffer.byteLength(body)), signal },
      resolve,
    );
    request.once('error', reject);
    request.end(body);
  });
}

function requestHeaders(apiKey: string, length: number): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': length,
    accept: 'application/json',
    authorization: `Bearer ${apiKey}`,
    'user-agent': 'storyloom',
  };
  // As the OpenAI client does: an organization or project in the environment goes with every request.
  const organization = process.env.OPENAI_ORG_ID;
  const project = process.env.OPENAI_PROJECT_ID;
  if (organization) headers['openai-organization'] = organization;
  if (project) headers['openai-project'] = project;
  return headers;
}

async function httpError(status: number, response: IncomingMessage): Promise<OpenAIRequestError> {
  let text = '';
  try {
    for await (const piece of response as AsyncIterable<string>) text += piece;
  } catch (error) {
    text = error instanceof Error ? error.message : String(error);
  }
  const location = response.headers.location;
  if (status >= 300 && status < 400 && location) {
    // Not followed: the request carries the key, and a base URL that moved should be corrected where it is set.
    const message = `${status} the server redirected the request to ${location}: set OPENAI_BASE_URL (or the model's baseUrl) to where it moved`;
    return new OpenAIRequestError(message, status, response.headers, undefined);
  }
  const json = parseJson(text) as { error?: unknown } | undefined;
  const error = json?.error;
  // A JSON body without an `error` object is shown as it came (the OpenAI client would say "no body").
  return new OpenAIRequestError(errorMessage(status, error, text.trim() || undefined), status, response.headers, error);
}

/** As the OpenAI client words it: `<status> <the server's error message>`, else the body, else "no body". */
function errorMessage(status: number | undefined, error: unknown, bodyText: string | undefined): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  const said = message ? (typeof message === 'string' ? message : JSON.stringify(message)) : error ? JSON.stringify(error) : bodyText;
  if (status && said) return `${status} ${said}`;
  if (status) return `${status} status code (no body)`;
  return said || '(no error message)';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The `data` of each server-sent event in a body (multi-line data joined with newlines; comments, other
 * fields and events without data skipped).
 */
async function* serverSentData(body: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  let data: string[] = [];
  for await (const text of body) {
    pending += text;
    let start = 0;
    for (let end = lineEnd(pending, start); end !== -1; end = lineEnd(pending, start)) {
      const line = pending.slice(start, end);
      start = end + (pending[end] === '\r' && pending[end + 1] === '\n' ? 2 : 1);
      if (line === '') {
        if (data.length > 0) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      }
    }
    pending = pending.slice(start);
  }
  if (pending.startsWith('data:')) data.push(pending.charCodeAt(5) === 32 ? pending.slice(6) : pending.slice(5));
  if (data.length > 0) yield data.join('\n');
}

/** Index of the next line break (\n, \r\n or a lone \r) at or after `from`; -1 when the line is not complete. */
function lineEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  const carriage = text.indexOf('\r', from);
  if (carriage === -1 || (newline !== -1 && newline < carriage)) return newline;
  // A \r at the very end may be the first half of \r\n still to come.
  if (carriage === text.length - 1) return -1;
  return carriage;
}
