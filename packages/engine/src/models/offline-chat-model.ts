// The built-in offline model: a real LangChain chat model whose answer is supplied by a deterministic writer,
// streamed in word-sized chunks through the same callback path as a remote model, with token usage and an
// optional simulated latency (for demos and benchmarks).
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';

export interface OfflineChatModelFields extends BaseChatModelParams {
  /** The answer to give, from the messages asked. Deterministic writers make the model deterministic. */
  writer: (messages: BaseMessage[]) => string;
  /** Simulated latency per call: the first token arrives after it. */
  latencyMs?: number;
  /** Characters per streamed chunk, roughly (chunks end at word boundaries). Default: 24, or more for long
   *  answers so that one answer streams in at most about 40 chunks (token events stay bounded). */
  chunkChars?: number;
}

/** Tokens ≈ characters / 4, the usual rule of thumb for English text; never 0 for non-empty text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** Splits text into chunks of about `size` characters that end after whitespace, so no word is cut. */
export function chunkText(text: string, size: number): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.indexOf(' ', end);
      end = space === -1 || space - start > size * 2 ? end : space + 1;
    }
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

function messageText(message: BaseMessage): string {
  return typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError');
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class OfflineChatModel extends BaseChatModel<BaseChatModelCallOptions, AIMessageChunk> {
  private readonly writer: (messages: BaseMessage[]) => string;
  readonly latencyMs: number;
  private readonly chunkChars: number | undefined;

  constructor(fields: OfflineChatModelFields) {
    super(fields);
    this.writer = fields.writer;
    this.latencyMs = fields.latencyMs ?? 0;
    this.chunkChars = fields.chunkChars;
  }

  static override lc_name(): string {
    return 'OfflineChatModel';
  }

  override _llmType(): string {
    return 'storyloom-offline';
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const signal = options.signal;
    signal?.throwIfAborted();
    const answer = this.writer(messages);
    if (this.latencyMs > 0) await sleep(this.latencyMs, signal);
    const chunks = chunkText(answer, this.chunkChars ?? Math.max(24, Math.ceil(answer.length / 40)));
    for (const [index, text] of chunks.entries()) {
      signal?.throwIfAborted();
      const chunk = new ChatGenerationChunk({ text, message: new AIMessageChunk({ content: text }) });
      yield chunk;
      await runManager?.handleLLMNewToken(text, { prompt: 0, completion: 0 }, undefined, undefined, undefined, { chunk });
      // Yield to the event loop between chunks so that an abort (or a concurrent branch) can get in mid-stream.
      if (index < chunks.length - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    signal?.throwIfAborted();
    const inputTokens = estimateTokens(messages.map(messageText).join('\n'));
    const outputTokens = estimateTokens(answer);
    yield new ChatGenerationChunk({
      text: '',
      message: new AIMessageChunk({
        content: '',
        usage_metadata: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
        response_metadata: { model_name: 'storyloom-offline', finish_reason: 'stop' },
      }),
    });
  }

  /** Always streams, so token callbacks fire whether or not the caller asked for streaming. */
  override async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let aggregated: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      aggregated = aggregated ? aggregated.concat(chunk) : chunk;
    }
    const message = aggregated?.message as AIMessageChunk | undefined;
    const text = aggregated?.text ?? '';
    return {
      generations: [
        {
          text,
          message: new AIMessage({ content: text, usage_metadata: message?.usage_metadata, response_metadata: message?.response_metadata ?? {} }),
        },
      ],
    };
  }
}
