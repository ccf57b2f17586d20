// CONTRACT STUB (lead): the models helper implements this module; the runner codes against it.
import type { ModelCaller } from '../nodes/types';
import type { ModelSpec, ModelSpecObject } from '../pipeline/schema';

/** Environment variables the model layer reads (SPEC §6, §8). Passed in, never read from process.env here. */
export type ModelEnv = Partial<Record<'STORYLOOM_MODEL' | 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'OLLAMA_BASE_URL', string>>;

export interface ModelCallHooks {
  /** A streamed chunk of text from call `label`. */
  onToken?(text: string, label: string | undefined): void;
  /** A failed attempt that will be retried after `delayMs`. */
  onRetry?(info: { attempt: number; delayMs: number; error: string; label: string | undefined }): void;
  /** Token usage of one finished call. */
  onUsage?(usage: { inputTokens: number; outputTokens: number }, label: string | undefined): void;
}

export interface ModelCallerOptions {
  spec: ModelSpecObject;
  env: ModelEnv;
  hooks?: ModelCallHooks;
  signal?: AbortSignal;
  /** Per attempt. */
  timeoutMs?: number;
  maxRetries?: number;
}

/** Resolution order: run → node → pipeline → STORYLOOM_MODEL → offline. Shorthand strings are expanded. */
export declare function resolveModelSpec(
  candidates: Array<ModelSpec | undefined>,
  env: ModelEnv,
): ModelSpecObject;

export declare function createModelCaller(options: ModelCallerOptions): ModelCaller;
