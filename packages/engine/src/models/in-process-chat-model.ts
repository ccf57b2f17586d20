// What the two in-process chat models (local GGUF, transformers) share as LangChain models: n samples per call
// (`n`, as OpenAI's option; Storyloom's candidates), JSON output bound by `withStructuredOutput` (each backend
// enforces it its own way), streaming through `handleLLMNewToken`, and token usage on the answer.
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { RunnableLambda } from '@langchain/core/runnables';
import type { z } from 'zod';
import { extractJson } from './json-reply';
import { outputJsonSchema } from './json-grammar';

/**
 * The custom callback event an in-process model raises when it starts its answer over (the text streamed so far
 * is not part of the answer it returns), so a live view can drop that text instead of showing both writings.
 */
export const ANSWER_RESTARTED = 'storyloom.answer-restarted';

export interface InProcessCallOptions extends BaseChatModelCallOptions {
  /** How many independent samples to write (default: the model's `n`, else 1). */
  n?: number;
  /** Constrain the answer to JSON matching this JSON Schema. */
  jsonSchema?: Record<string, unknown>;
}

export interface InProcessChatModelFields extends BaseChatModelParams {
  n?: number;
}

export type ConversationRole = 'system' | 'user' | 'assistant';

export interface ConversationTurn {
  role: ConversationRole;
  text: string;
}

export interface SampleRequest {
  conversation: ConversationTurn[];
  n: number;
  jsonSchema?: Record<string, unknown>;
  /** Hold JSON to a grammar fitted to the answer's token budget (after an open one ran out of tokens). */
  fitToBudget?: boolean;
  signal?: AbortSignal;
  /** Streams the text of sample 0 (with n > 1 the other samples are not streamed: interleaved they would be noise). */
  onText: (text: string) => void;
  /** The text streamed so far is void: the answer is about to be written again from its start. */
  onRestart?: () => void;
}

export interface Samples {
  texts: string[];
  /** Prompt tokens evaluated (once per sample). */
  inputTokens: number;
  outputTokens: number;
}

function turnOf(message: BaseMessage): ConversationTurn {
  const type = message._getType();
  const role: ConversationRole = type === 'system' ? 'system' : type === 'ai' ? 'assistant' : 'user';
  const text = typeof message.content === 'string' ? message.content : message.text;
  return { role, text };
}

/** Plain-text rendering for models without a chat template: the turns in order, separated by blank lines. */
export function completionPrompt(conversation: ConversationTurn[]): string {
  return `${conversation.map((turn) => turn.text.trim()).join('\n\n')}\n\n`;
}

function isWholeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isZodSchema(schema: unknown): schema is z.ZodType {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

export abstract class InProcessChatModel extends BaseChatModel<InProcessCallOptions> {
  readonly n: number;

  constructor(fields: InProcessChatModelFields) {
    super(fields);
    this.n = fields.n ?? 1;
  }

  /** Writes `request.n` samples for the conversation. */
  protected abstract sample(request: SampleRequest): Promise<Samples>;

  /**
   * Samples; for JSON, any sample that ran out of tokens before its grammar was complete is written again under
   * a grammar fitted to the budget, which cannot run out. A capable model seldom needs it and keeps the open
   * grammar; a small one that rambles inside a string still gives whole JSON.
   */
  private async sampleWhole(request: SampleRequest): Promise<Samples> {
    const samples = await this.sample(request);
    const cut = samples.texts.map((text, index) => (request.jsonSchema && !isWholeJson(text) ? index : -1)).filter((index) => index >= 0);
    if (cut.length === 0) return samples;
    // Only sample 0 streams: the restart matters to a live view only when that is the one written again.
    if (cut.includes(0)) request.onRestart?.();
    const fitted = await this.sample({ ...request, fitToBudget: true });
    return {
      texts: samples.texts.map((text, index) => (cut.includes(index) ? fitted.texts[index]! : text)),
      inputTokens: samples.inputTokens + fitted.inputTokens,
      outputTokens: samples.outputTokens + fitted.outputTokens,
    };
  }

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const n = options.n ?? this.n;
    // Token callbacks are awaited before the answer is returned, so every token is delivered before the call resolves.
    const delivering: Array<Promise<unknown>> = [];
    const samples = await this.sampleWhole({
      conversation: messages.map(turnOf),
      n,
      jsonSchema: options.jsonSchema,
      signal: options.signal,
      onText: (text) => {
        if (text && runManager) delivering.push(runManager.handleLLMNewToken(text));
      },
      onRestart: () => {
        if (runManager) delivering.push(runManager.handleCustomEvent(ANSWER_RESTARTED, {}));
      },
    });
    await Promise.all(delivering);
    const usage = {
      input_tokens: samples.inputTokens,
      output_tokens: samples.outputTokens,
      total_tokens: samples.inputTokens + samples.outputTokens,
    };
    return {
      generations: samples.texts.map((text, index) => ({
        text,
        message: new AIMessage({ content: text, ...(index === 0 ? { usage_metadata: usage } : {}) }),
      })),
      llmOutput: { tokenUsage: { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, totalTokens: usage.total_tokens } },
    };
  }

  /** Sums token usage over the prompts of one `generate` call (LangChain reports it as `llmOutput.tokenUsage`). */
  override _combineLLMOutput(...outputs: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
    const total = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    for (const output of outputs) {
      const usage = output?.tokenUsage as Partial<typeof total> | undefined;
      total.promptTokens += usage?.promptTokens ?? 0;
      total.completionTokens += usage?.completionTokens ?? 0;
      total.totalTokens += usage?.totalTokens ?? 0;
    }
    return { tokenUsage: total };
  }

  /**
   * JSON output the in-process way: the schema is bound as a call option (the backend constrains or guides
   * generation with it) and the answer parsed. With `includeRaw` the answer message is kept for its usage.
   */
  // The base signature is a set of generic overloads; this one implementation serves them all.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override withStructuredOutput(schema: any, config?: { includeRaw?: boolean }): any {
    const jsonSchema = isZodSchema(schema) ? outputJsonSchema(schema) : (schema as Record<string, unknown>);
    const bound = this.withConfig({ jsonSchema });
    return RunnableLambda.from(async (messages: BaseMessage[], runConfig) => {
      const raw = await bound.invoke(messages, runConfig);
      const text = typeof raw.content === 'string' ? raw.content : raw.text;
      const reading = extractJson(text);
      const parsed = reading.ok ? reading.value : undefined;
      return config?.includeRaw ? { raw, parsed } : parsed;
    });
  }
}
