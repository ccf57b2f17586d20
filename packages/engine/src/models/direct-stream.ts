// One model request read without `invoke`. `invoke` wraps the chat model's own streaming generator
// (`_streamResponseChunks`, the method every LangChain chat model implements to stream) in the Runnable layer:
// callback managers, a LangSmith run tree, a chunk re-aggregation; on a fast server that layer costs as much CPU
// as the HTTP request and its SSE parsing together (bench/peers), and it does nothing here unless a trace is
// being recorded. An OpenAI-compatible call goes one step further and is sent by openai-stream.ts (ChatOpenAI's
// request, our transport); any other model's stream is read from its generator: same client, same parameters,
// same abort signal.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessageChunk, BaseMessage, UsageMetadata } from '@langchain/core/messages';
import type { ChatGenerationChunk } from '@langchain/core/outputs';
import { getEnvironmentVariable } from '@langchain/core/utils/env';
import { toJsonSchema } from '@langchain/core/utils/json_schema';
import { getSchemaDescription } from '@langchain/core/utils/types';
import type { ChatOpenAI } from '@langchain/openai';
import type { z } from 'zod';
import { completesChat, endpointOf, streamChatCompletion } from './openai-stream';

/**
 * Providers whose models report nothing through callbacks but their tokens, so reading their stream directly
 * loses nothing. (The in-process models also report a restarted answer; Ollama's client is aborted through
 * its own handle.)
 */
const DIRECT_PROVIDERS = new Set(['openai', 'offline']);

const TRACING_VARIABLES = ['LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING', 'LANGCHAIN_TRACING_V2'];

/** Whether LangSmith tracing is switched on, which needs every call to go through `invoke`'s callbacks. */
export function tracingConfigured(): boolean {
  return TRACING_VARIABLES.some((name) => getEnvironmentVariable(name) === 'true');
}

/** Whether a call to this provider may skip `invoke` (read when the call is made: tracing can be switched on later). */
export function streamsDirectly(provider: string): boolean {
  return DIRECT_PROVIDERS.has(provider) && !tracingConfigured();
}

export interface StreamedReply {
  text: string;
  usage: UsageMetadata | undefined;
}

interface DirectStreaming {
  _streamResponseChunks(messages: BaseMessage[], options: Record<string, unknown>): AsyncGenerator<ChatGenerationChunk>;
}

/**
 * Streams one reply, handing each piece of text to `onToken` as it arrives; the usage comes from the chunk
 * that carries it (OpenAI's last, with `stream_options.include_usage`). `schema` asks for a JSON-schema
 * response format, named and described as LangChain's `withStructuredOutput(schema, { method: 'jsonSchema' })`
 * would name it, so the server receives the same request either way.
 */
export async function streamDirect(
  model: BaseChatModel,
  messages: BaseMessage[],
  options: { signal: AbortSignal; schema?: z.ZodType; schemaName?: string },
  onToken: (text: string) => void,
): Promise<StreamedReply> {
  const callOptions: Record<string, unknown> & { signal: AbortSignal } = { signal: options.signal };
  if (options.schema) callOptions.response_format = jsonSchemaFormat(options.schema, options.schemaName ?? 'output');
  const endpoint = endpointOf(model);
  if (endpoint && completesChat(model as unknown as ChatOpenAI, callOptions)) {
    return streamChatCompletion(model as unknown as ChatOpenAI, endpoint, messages, callOptions, onToken);
  }
  let text = '';
  let usage: UsageMetadata | undefined;
  for await (const chunk of (model as unknown as DirectStreaming)._streamResponseChunks(messages, callOptions)) {
    if (chunk.text) {
      text += chunk.text;
      onToken(chunk.text);
    }
    const chunkUsage = (chunk.message as AIMessageChunk).usage_metadata;
    if (chunkUsage) usage = chunkUsage;
  }
  return { text, usage };
}

/** The response_format `withStructuredOutput(schema, { method: 'jsonSchema', name })` sends. */
export function jsonSchemaFormat(schema: z.ZodType, name: string) {
  return {
    type: 'json_schema',
    json_schema: { name, description: getSchemaDescription(toJsonSchema(schema)), schema, strict: undefined },
  };
}
