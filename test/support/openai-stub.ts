// Typed entry to the OpenAI-compatible test server (implementation: ./openai-stub-server.js, plain CommonJS so
// that it also runs as its own process: `node test/support/openai-stub-server.js --port 0 --latency 100`).
/* eslint-disable @typescript-eslint/no-require-imports */
const implementation = require('./openai-stub-server.js') as {
  startOpenAIStub(behavior?: Partial<StubBehavior>, options?: StubOptions): Promise<OpenAIStub>;
  documentForSchema(schema: object, prompt: string): unknown;
  DEFAULT_BEHAVIOR: Readonly<StubBehavior>;
};

export interface StubMessage {
  role: string;
  content: string;
}

/** One chat-completions request as received (recorded before any latency or failure). */
export interface StubRequest {
  /** 1, 2, 3 … in arrival order. */
  id: number;
  /** 'openai' for /v1/chat/completions, 'ollama' for /api/chat. */
  api: 'openai' | 'ollama';
  /** Arrival time (ms since epoch). */
  at: number;
  model: string;
  stream: boolean;
  messages: StubMessage[];
  /** Text of the last user message. */
  prompt: string;
  /** As sent, e.g. `{ type: 'json_schema', json_schema: { name, schema, strict } }`; undefined when absent.
   *  For Ollama, its `format` as the same shape (a JSON Schema format → json_schema, "json" → json_object). */
  responseFormat?: { type: string; json_schema?: { name?: string; schema?: object; strict?: boolean } };
  tools?: Array<{ type: string; function: { name: string; parameters?: object } }>;
  toolChoice?: unknown;
  /** The Authorization header as sent (e.g. `Bearer sk-…`). */
  authorization?: string;
  streamOptions?: { include_usage?: boolean };
  /** Set when `respond` is asked for alternative k (k ≥ 1) of an `n`-choices request. */
  choice?: number;
  /** The raw request body. */
  body: Record<string, unknown>;
  /** HTTP status served (200, 429, 500, 400 …), 'dropped', 'cut' or 'stalled' (mid-stream), or undefined while in flight / hanging. */
  status?: number | 'dropped' | 'cut' | 'stalled';
  /** What was answered with status 200. */
  reply?: { content?: string; toolCall?: { name: string; arguments: string } };
  /** The token usage reported with a 200 answer. */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export type StubFailure = number | 'drop' | 'hang' | 'cut' | 'stall';

export type StubReply = string | { content: string } | { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

export interface StubBehavior {
  /** Delay before each reply starts. */
  latencyMs: number;
  /** Delay between streamed chunks (mid-stream abort tests). */
  tokenDelayMs: number;
  /**
   * Served first, one per request: an HTTP status (429, 500 …), 'drop' (socket destroyed), 'hang' (never answers),
   * 'cut' (socket destroyed after the first words) or 'stall' (silent after the first words, left open).
   */
  failures: StubFailure[];
  /** Share (0..1) of requests answered with one of `failureStatuses`, from a PRNG seeded with `seed`. */
  failureRate: number;
  failureStatuses: number[];
  seed: number;
  /** Seconds sent as Retry-After on 429 replies (none when undefined). */
  retryAfterSeconds?: number;
  /** False: a response_format json_schema request gets 400 "'response_format' of type 'json_schema' is not supported". */
  jsonSchemaSupported: boolean;
  /** Wrap JSON answered to JSON-only text prompts in chatter and a ```json fence. */
  jsonChatter: boolean;
  /** Words per streamed chunk (default 3). */
  wordsPerChunk: number;
  /** False: a non-streamed request's `n` is ignored and one choice answered (default true). */
  choicesSupported: boolean;
  /** Override the answer; undefined falls back to the default (schema-walking JSON or a short text). */
  respond?: (request: StubRequest) => StubReply | Promise<StubReply>;
  /** Ids listed by GET /v1/models. */
  models: string[];
}

export interface StubOptions {
  /** Default 0 (any free port). */
  port?: number;
  onRequest?(request: StubRequest): void;
}

export interface OpenAIStub {
  /** `http://127.0.0.1:PORT/v1` — what OPENAI_BASE_URL expects. */
  url: string;
  /** `http://127.0.0.1:PORT` — what OLLAMA_BASE_URL expects (the stub also serves Ollama's /api/chat). */
  origin: string;
  port: number;
  /** Every chat request so far, in arrival order (live array). */
  requests: StubRequest[];
  readonly behavior: StubBehavior;
  setBehavior(behavior: Partial<StubBehavior>): void;
  /** Forgets the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export function startOpenAIStub(behavior?: Partial<StubBehavior>, options?: StubOptions): Promise<OpenAIStub> {
  return implementation.startOpenAIStub(behavior, options);
}

/** The document the stub answers for a JSON Schema (all properties, 1–3 array items honouring minItems). */
export function documentForSchema(schema: object, prompt = ''): unknown {
  return implementation.documentForSchema(schema, prompt);
}

export const STUB_SERVER_SCRIPT = require.resolve('./openai-stub-server.js');
export const DEFAULT_STUB_BEHAVIOR = implementation.DEFAULT_BEHAVIOR;
