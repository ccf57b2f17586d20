// One LangChain chat model per provider, configured from the spec and the environment only (keys never come
// from pipeline files). Client-side retries are off everywhere: retry.ts retries so that each retry is visible.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatOllama } from '@langchain/ollama';
import type { ChatOpenAI } from '@langchain/openai';
import { StoryloomError } from '../errors';
import type { ModelSpecObject } from '../pipeline/schema';
import { LocalChatModel } from './local-chat-model';
import { checkModelFile } from './model-files';
import { OfflineChatModel } from './offline-chat-model';
import { rememberEndpoint } from './openai-stream';
import { samplingOf } from './in-process-sampling';
import { TransformersChatModel } from './transformers-chat-model';
import {
  DEFAULT_OLLAMA_MODEL,
  DEFAULT_OPENAI_BASE_URL,
  DEFAULT_OPENAI_MODEL,
  envOpenaiBaseUrl,
  type ModelEnv,
  ollamaBaseUrl,
  openaiBaseUrl,
  sameBaseUrl,
} from './spec';

/** Sent as the key to OpenAI-compatible local servers that need none (vLLM, llama.cpp, LM Studio, Ollama /v1). */
export const PLACEHOLDER_API_KEY = 'not-needed';

// The provider packages are required when a call needs them, not at import: together they take ~180 ms to
// load, which every CLI command and offline run would otherwise pay.
/* eslint-disable @typescript-eslint/no-require-imports */
const openaiPackage = () => require('@langchain/openai') as typeof import('@langchain/openai');
const ollamaPackage = () => require('@langchain/ollama') as typeof import('@langchain/ollama');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface ChatModelRequest {
  spec: ModelSpecObject;
  env: ModelEnv;
  /** The offline model's answer (ignored by the other providers). */
  offlineAnswer: (messages: BaseMessage[]) => string;
  /** Aborts the request (Ollama's client needs to be told explicitly). */
  signal: AbortSignal;
  /** Alternatives asked for in one request (OpenAI's `n`; a non-streaming request). */
  n?: number;
}

export function createOpenAIChatModel(spec: ModelSpecObject, env: ModelEnv, n?: number): ChatOpenAI {
  const baseURL = openaiBaseUrl(spec, env);
  // The environment's key belongs to the environment's endpoint: a baseUrl named by a pipeline, node or run
  // that points elsewhere gets the placeholder, never OPENAI_API_KEY (it would hand the key to that server).
  const envKey = sameBaseUrl(baseURL ?? DEFAULT_OPENAI_BASE_URL, envOpenaiBaseUrl(env)) ? env.OPENAI_API_KEY?.trim() : undefined;
  const apiKey = envKey || (baseURL ? PLACEHOLDER_API_KEY : undefined);
  if (!apiKey) {
    throw new StoryloomError(
      'invalid_input',
      'the openai provider needs OPENAI_API_KEY in the environment (or OPENAI_BASE_URL for a local OpenAI-compatible server)',
    );
  }
  const fields = {
    model: spec.model ?? DEFAULT_OPENAI_MODEL,
    apiKey,
    configuration: baseURL ? { baseURL } : undefined,
    temperature: spec.temperature,
    maxTokens: spec.maxTokens,
    topP: spec.topP,
    // OpenAI's API has no top-k or repeat penalty; the seed is a request field the client takes as a kwarg.
    ...(spec.seed !== undefined ? { modelKwargs: { seed: spec.seed } } : {}),
    ...(n && n > 1 ? { n, streaming: false } : { streaming: true, streamUsage: true }),
    maxRetries: 0,
  };
  // Building a ChatOpenAI (and the OpenAI client inside it) costs more CPU than a fast reply, and a fresh one per
  // call also opens fresh connections. Its settings fully describe it and each call brings its own signal and
  // callbacks, so calls with the same settings share one.
  const key = JSON.stringify(fields);
  let model = openaiModels.get(key);
  if (!model) {
    const { ChatOpenAI } = openaiPackage();
    model = new ChatOpenAI(fields);
    rememberEndpoint(model, { baseURL: baseURL ?? DEFAULT_OPENAI_BASE_URL, apiKey });
    if (openaiModels.size >= MAX_SHARED_OPENAI_MODELS) openaiModels.delete(openaiModels.keys().next().value as string);
    openaiModels.set(key, model);
  }
  return model;
}

/** ChatOpenAI instances by their settings (oldest dropped first beyond the bound). */
const openaiModels = new Map<string, ChatOpenAI>();
const MAX_SHARED_OPENAI_MODELS = 32;

export function createOllamaChatModel(spec: ModelSpecObject, env: ModelEnv, signal?: AbortSignal): ChatOllama {
  const { ChatOllama } = ollamaPackage();
  const model = new ChatOllama({
    model: spec.model ?? DEFAULT_OLLAMA_MODEL,
    baseUrl: ollamaBaseUrl(spec, env),
    temperature: spec.temperature,
    numPredict: spec.maxTokens,
    topK: spec.topK,
    topP: spec.topP,
    seed: spec.seed,
    repeatPenalty: spec.repeatPenalty,
    streaming: true,
    maxRetries: 0,
  });
  // ChatOllama only checks the signal between chunks; a stalled request must be cut at once.
  signal?.addEventListener('abort', () => model.client.abort(), { once: true });
  return model;
}

/**
 * The chat model for one request: fresh for offline and Ollama (whose aborts are wired per request), shared by
 * settings for OpenAI (aborts travel with each call's own signal).
 */
export function createChatModel(request: ChatModelRequest): BaseChatModel {
  const { spec, env } = request;
  switch (spec.provider) {
    case 'offline':
      return new OfflineChatModel({ writer: request.offlineAnswer, latencyMs: spec.latencyMs });
    case 'openai':
      return createOpenAIChatModel(spec, env, request.n);
    case 'ollama':
      return createOllamaChatModel(spec, env, request.signal);
    case 'local':
      return new LocalChatModel({ modelPath: checkModelFile('local', spec.model, env), sampling: samplingOf(spec), contextSize: spec.contextSize, env, n: request.n });
    case 'transformers':
      return new TransformersChatModel({ modelDir: checkModelFile('transformers', spec.model, env), sampling: samplingOf(spec), env, n: request.n });
  }
}
