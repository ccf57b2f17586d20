// The ModelCaller the runner hands to nodes: one resolved provider, with streaming tokens, usage, a timeout
// and retries per request, cancellation, and structured output that falls back to JSON-from-text (with one
// repair attempt) for servers without JSON-schema support.
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { StoryloomError, isStoryloomError } from '../errors';
import type { CallSampling, JsonCall, ModelCaller, TextCall } from '../nodes/types';
import type { ModelSpecObject } from '../pipeline/schema';
import { jsonOnlyInstruction, readJsonReply, repairInstruction } from './json-reply';
import { ANSWER_RESTARTED } from './in-process-chat-model';
import { estimateTokens } from './offline-chat-model';
import { createChatModel } from './providers';
import { streamDirect, streamsDirectly, type StreamedReply } from './direct-stream';
import { DEFAULT_RETRY_POLICY, type ModelErrorDetails, type RetryPolicy, withRetries } from './retry';
import { type ModelEnv, normalizeModelSpec, providerLocation } from './spec';

export {
  resolveModelSpec,
  normalizeModelSpec,
  availableModels,
  describeModel,
  parseModelShorthand,
  type ModelEnv,
  type AvailableModel,
} from './spec';
export { OfflineChatModel } from './offline-chat-model';

export interface ModelCallHooks {
  /** A streamed chunk of text from call `label`. */
  onToken?(text: string, label: string | undefined): void;
  /** A failed attempt that will be retried after `delayMs`. */
  onRetry?(info: { attempt: number; delayMs: number; error: string; label: string | undefined }): void;
  /**
   * The model starts the answer to call `label` over within one request (a local model's JSON that ran out of
   * tokens, written again under a grammar fitted to the budget): the text streamed for it so far is void.
   */
  onRestart?(label: string | undefined): void;
  /** Token usage of one request: a finished one (as the server reports it) or one cut off mid-answer (estimated). */
  onUsage?(usage: { inputTokens: number; outputTokens: number }, label: string | undefined): void;
}

export interface ModelCallerOptions {
  spec: ModelSpecObject;
  env: ModelEnv;
  hooks?: ModelCallHooks;
  signal?: AbortSignal;
  /** Per attempt: an attempt fails (and is retried) after this long without its first or next streamed token. Default 120 s. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 4. */
  maxRetries?: number;
  /** First backoff delay, doubled each retry (±25 % jitter); default 500 ms. */
  retryBaseMs?: number;
  /** Cap on one wait, including a server's Retry-After; default 30 s. */
  maxRetryDelayMs?: number;
  /** One of a node's candidates: text calls share one `n`-alternatives request among the candidates' callers. */
  candidate?: CandidateShare;
}

/** What the callers of one node's candidates share: for each distinct text prompt, the alternatives asked for. */
export interface CandidateShare {
  index: number;
  count: number;
  answers: Map<string, Promise<string[]>>;
}

export function candidateShares(count: number): CandidateShare[] {
  const answers = new Map<string, Promise<string[]>>();
  return Array.from({ length: count }, (_, index) => ({ index, count, answers }));
}

/**
 * Forwards streamed tokens as they arrive; awaited so tokens are delivered before the call resolves.
 * `lc_prefer_streaming` makes LangChain drive the model through `_streamResponseChunks` directly: ChatOpenAI's
 * own streaming `_generate` would otherwise estimate token counts with tiktoken, which downloads its encoding
 * from the internet.
 */
class TokenForwarder extends BaseCallbackHandler {
  name = 'storyloom-token-forwarder';
  readonly lc_prefer_streaming = true;

  constructor(
    private readonly forward: (token: string) => void,
    private readonly restarted: () => void,
  ) {
    super({ _awaitHandler: true });
  }

  override handleLLMNewToken(token: string): void {
    if (token) this.forward(token);
  }

  override handleCustomEvent(eventName: string): void {
    if (eventName === ANSWER_RESTARTED) this.restarted();
  }
}

interface ModelReply {
  text: string;
}

interface StructuredCapable {
  withStructuredOutput(
    schema: z.ZodType,
    config: { method: 'jsonSchema'; includeRaw: true; name: string },
  ): { invoke(messages: BaseMessage[], config: object): Promise<{ raw: BaseMessage }> };
}

function messageText(message: BaseMessage): string {
  return typeof message.content === 'string' ? message.content : message.text;
}

/** The prompt's tokens, estimated, for a reply that came without the server's count. */
function promptTokens(messages: BaseMessage[]): number {
  return estimateTokens(messages.map(messageText).join('\n'));
}

function isObjectSchema(schema: z.ZodType): boolean {
  try {
    return (z.toJSONSchema(schema, { unrepresentable: 'any' }) as { type?: unknown }).type === 'object';
  } catch {
    return false;
  }
}

/** A 4xx that says the server does not take JSON-schema response formats (llama.cpp, older vLLM, …). */
function rejectsResponseFormat(error: StoryloomError): boolean {
  const details = error.details as ModelErrorDetails | undefined;
  const status = details?.status;
  return status !== undefined && status >= 400 && status < 500 && status !== 429 && /response[_ ]?format|json[_ ]?schema|structured/i.test(error.message);
}

/**
 * Endpoints (provider, server and model) that refused a JSON-schema response format. Learnt once per process:
 * every later JSON call to them, from any node of any run, goes straight to JSON-from-text instead of sending
 * a request the server is known to reject.
 */
const ENDPOINTS_WITHOUT_RESPONSE_FORMAT = new Set<string>();

function endpointKey(spec: ModelSpecObject, where: string): string {
  return `${where}#${spec.model ?? ''}`;
}

/** Forgets what was learnt about endpoints (for tests that restart a server with other abilities on one port). */
export function forgetEndpointAbilities(): void {
  ENDPOINTS_WITHOUT_RESPONSE_FORMAT.clear();
}

/** One reply through LangChain's `invoke` (with LangSmith tracing, and for the models that report restarts). */
async function invokeModel(
  model: BaseChatModel,
  messages: BaseMessage[],
  signal: AbortSignal,
  onToken: (token: string) => void,
  onRestart: () => void,
  schema?: z.ZodType,
): Promise<StreamedReply> {
  const config = { signal, callbacks: [new TokenForwarder(onToken, onRestart)] };
  let raw: BaseMessage;
  if (schema) {
    // The raw message is kept (includeRaw) for its usage and so that one parser (readJsonReply) judges
    // every provider's answer. Typed loosely: the overloads do not accept a generic zod type.
    const structuredModel = model as unknown as StructuredCapable;
    const structured = structuredModel.withStructuredOutput(schema, { method: 'jsonSchema', includeRaw: true, name: 'output' });
    raw = (await structured.invoke(messages, config)).raw;
  } else {
    raw = await model.invoke(messages, config);
  }
  return { text: messageText(raw), usage: (raw as AIMessage).usage_metadata };
}

export function createModelCaller(options: ModelCallerOptions): ModelCaller {
  const normalized = normalizeModelSpec(options.spec);
  // In-process models sample with a seed: each of a node's candidates takes its own (seed + index, from a random
  // base when none is set) so that candidates asked for one by one, such as JSON ones, differ.
  const spec =
    options.candidate && (normalized.provider === 'local' || normalized.provider === 'transformers')
      ? { ...normalized, seed: (normalized.seed ?? Math.floor(Math.random() * 1_000_000)) + options.candidate.index }
      : normalized;
  const { env, hooks = {}, signal } = options;
  const where = providerLocation(spec, env);
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    timeoutMs: options.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs,
    baseDelayMs: options.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
  const endpoint = endpointKey(spec, where);

  /** The node's spec with one call's sampling over it. */
  function specFor(sampling: CallSampling): ModelSpecObject {
    return {
      ...spec,
      ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
      ...(sampling.maxTokens !== undefined ? { maxTokens: sampling.maxTokens } : {}),
    };
  }

  function messagesFor(call: { system?: string; prompt: string }, promptSuffix?: string): BaseMessage[] {
    const prompt = promptSuffix ? `${call.prompt}\n\n${promptSuffix}` : call.prompt;
    return call.system ? [new SystemMessage(call.system), new HumanMessage(prompt)] : [new HumanMessage(prompt)];
  }

  /** One model request (with retries): streams tokens to the hooks, reports usage, returns the answer text. */
  function request(
    label: string | undefined,
    messages: BaseMessage[],
    offlineAnswer: () => string,
    sampling: CallSampling,
    schema?: z.ZodType,
  ): Promise<ModelReply> {
    // A request cut off mid-answer (a dropped stream, a timeout, a cancel) was already read and partly written by
    // the model, and a provider bills both; its usage chunk never came, so what it spent is estimated. Counted when
    // the retry loop moves on from it (a cancel ends the loop before the cut request itself has settled).
    let current: { text: string; counted: boolean } | undefined;
    const countCutOff = () => {
      const cut = current;
      if (!cut || cut.counted || !cut.text) return;
      cut.counted = true;
      hooks.onUsage?.({ inputTokens: promptTokens(messages), outputTokens: estimateTokens(cut.text) }, label);
    };
    const onRetry = (info: Parameters<NonNullable<ModelCallHooks['onRetry']>>[0]) => {
      countCutOff();
      hooks.onRetry?.(info);
    };
    return withRetries({ policy, where, signal, label, onRetry }, async (attemptSignal, progress) => {
      const model = createChatModel({ spec: specFor(sampling), env, offlineAnswer, signal: attemptSignal });
      const attempt = { text: '', counted: false };
      current = attempt;
      const onToken = (token: string) => {
        attempt.text += token;
        progress();
        hooks.onToken?.(token, label);
      };
      const { text, usage } = streamsDirectly(spec.provider)
        ? await streamDirect(model, messages, { signal: attemptSignal, schema }, onToken)
        : await invokeModel(model, messages, attemptSignal, onToken, () => hooks.onRestart?.(label), schema);
      attempt.counted = true;
      hooks.onUsage?.(
        {
          inputTokens: usage?.input_tokens ?? promptTokens(messages),
          outputTokens: usage?.output_tokens ?? estimateTokens(text),
        },
        label,
      );
      return { text };
    }).catch((error: unknown) => {
      countCutOff();
      throw error;
    });
  }

  /**
   * `count` alternative answers to one text call: one request with OpenAI's `n` (for local models: n sequences
   * of one loaded model; for transformers: one batch), then single requests for any the server did not give
   * (servers that ignore `n` answer once).
   */
  async function alternatives(call: TextCall, count: number): Promise<string[]> {
    const messages = messagesFor(call);
    const answers: string[] = [];
    if (spec.provider === 'openai' || spec.provider === 'local' || spec.provider === 'transformers') {
      const generations = await withRetries({ policy, where, signal, label: call.label, onRetry: hooks.onRetry }, async (attemptSignal) => {
        const model = createChatModel({ spec: specFor(call), env, offlineAnswer: () => '', signal: attemptSignal, n: count });
        const result = await model.generate([messages], { signal: attemptSignal });
        const usage = result.llmOutput?.tokenUsage as { promptTokens?: number; completionTokens?: number } | undefined;
        const texts = (result.generations[0] ?? []).map((generation) => generation.text);
        hooks.onUsage?.(
          {
            inputTokens: usage?.promptTokens ?? promptTokens(messages),
            outputTokens: usage?.completionTokens ?? estimateTokens(texts.join('')),
          },
          call.label,
        );
        return texts;
      });
      answers.push(...generations.slice(0, count));
    }
    while (answers.length < count) answers.push((await request(call.label, messages, call.offline, call)).text);
    return answers;
  }

  async function offlineJson<T>(call: JsonCall<T>): Promise<T> {
    const reply = await request(call.label, messagesFor(call), () => JSON.stringify(call.offline(), null, 2), call);
    const reading = readJsonReply(reply.text, call.schema, call.prepare);
    if (reading.ok) return reading.value;
    throw new StoryloomError('model_error', `offline model wrote output for '${call.label ?? 'call'}' that its schema rejects: ${reading.error}`);
  }

  /** The response_format path; undefined when the server cannot do it or its answer is unusable. */
  async function structuredJson<T>(call: JsonCall<T>): Promise<T | undefined> {
    try {
      const reply = await request(call.label, messagesFor(call), () => '', call, call.schema);
      const reading = readJsonReply(reply.text, call.schema, call.prepare);
      return reading.ok ? reading.value : undefined;
    } catch (error) {
      if (!isStoryloomError(error, 'model_error')) throw error;
      if (rejectsResponseFormat(error)) {
        // "Invalid schema" is about this schema (e.g. strict mode wants every property required); anything
        // else means the server has no JSON-schema support at all, so later calls skip the attempt.
        if (!/invalid schema/i.test(error.message)) ENDPOINTS_WITHOUT_RESPONSE_FORMAT.add(endpoint);
        return undefined;
      }
      // A failure before any request was made (the schema could not be turned into a response format).
      if ((error.details as ModelErrorDetails | undefined)?.kind === 'other') return undefined;
      throw error;
    }
  }

  /** JSON from plain text: schema in the prompt, extraction from chatter and fences, one repair attempt. */
  async function textJson<T>(call: JsonCall<T>): Promise<T> {
    const messages = messagesFor(call, jsonOnlyInstruction(call.schema));
    const first = await request(call.label, messages, () => '', call);
    const firstReading = readJsonReply(first.text, call.schema, call.prepare);
    if (firstReading.ok) return firstReading.value;
    const repairMessages = [...messages, new AIMessage(first.text), new HumanMessage(repairInstruction(firstReading.error, call.schema))];
    const repaired = await request(call.label, repairMessages, () => '', call);
    const repairedReading = readJsonReply(repaired.text, call.schema, call.prepare);
    if (repairedReading.ok) return repairedReading.value;
    throw new StoryloomError(
      'model_error',
      `${where} gave no usable JSON for '${call.label ?? 'call'}' even after a repair attempt: ${repairedReading.error}`,
    );
  }

  return {
    offline: spec.provider === 'offline',

    async text(call: TextCall): Promise<string> {
      const share = options.candidate;
      // The offline writer's candidates differ by their own seeds, so each asks for itself.
      if (share && spec.provider !== 'offline') {
        const key = JSON.stringify([call.system ?? '', call.prompt, call.temperature ?? null, call.maxTokens ?? null]);
        let answers = share.answers.get(key);
        if (!answers) {
          answers = alternatives(call, share.count);
          share.answers.set(key, answers);
        }
        return (await answers)[share.index];
      }
      return (await request(call.label, messagesFor(call), call.offline, call)).text;
    },

    async json<T>(call: JsonCall<T>): Promise<T> {
      if (spec.provider === 'offline') return offlineJson(call);
      // OpenAI's response format wants an object at the root; the in-process models' grammar takes any schema.
      const structuredFirst =
        spec.provider === 'local' || spec.provider === 'transformers' || (!ENDPOINTS_WITHOUT_RESPONSE_FORMAT.has(endpoint) && isObjectSchema(call.schema));
      if (structuredFirst) {
        const value = await structuredJson(call);
        if (value !== undefined) return value;
      }
      return textJson(call);
    },
  };
}
