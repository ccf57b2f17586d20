// transformers.js inside this process, as an optional install (with onnxruntime-node it weighs ~475 MB, so it
// is not in the default install): found at run time, never allowed to download, each model folder loaded once
// and shared by concurrent nodes through a bounded number of slots.
import { StoryloomError } from '../errors';
import { importEsmPackage } from './esm-import';
import { LoadOnce } from './load-once';
import { sequencesSetting, type LlamaRuntimeEnv } from './llama-runtime';
import { Slots } from './slots';

// The package is optional, so its types cannot be imported: these describe the part Storyloom uses.
export interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: number[];
}

export interface TransformersTokenizer {
  (text: string | string[], options?: { padding?: boolean; add_special_tokens?: boolean }): { input_ids: TensorLike; attention_mask: TensorLike };
  decode(ids: ArrayLike<number | bigint>, options?: { skip_special_tokens?: boolean }): string;
  chat_template?: string | null;
  apply_chat_template(messages: Array<{ role: string; content: string }>, options: { tokenize: false; add_generation_prompt: boolean }): string;
}

export interface TransformersCausalModel {
  config: unknown;
  generation_config?: unknown;
  generate(options: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<unknown>;
}

/** A class of the package whose instances are callable objects running `_call` (logits processors, stopping criteria). */
export type CallableBase = new () => object;

export interface TransformersPackage {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean };
  AutoTokenizer: { from_pretrained(folder: string): Promise<TransformersTokenizer> };
  AutoModelForCausalLM: { from_pretrained(folder: string, options: { dtype: string }): Promise<TransformersCausalModel> };
  LogitsProcessor: CallableBase;
  StoppingCriteria: CallableBase;
}

export const TRANSFORMERS_PACKAGE = '@huggingface/transformers';
export const TRANSFORMERS_INSTALL = 'ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save @huggingface/transformers@4.3.2';

export function transformersInstalled(): boolean {
  try {
    require.resolve(TRANSFORMERS_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

/** Throws `invalid_input` with the install command when the optional package is absent (without loading it). */
export function assertTransformersInstalled(): void {
  if (!transformersInstalled()) {
    throw new StoryloomError(
      'invalid_input',
      `the transformers provider needs the optional package ${TRANSFORMERS_PACKAGE}, which is not installed: run \`${TRANSFORMERS_INSTALL}\` in the Storyloom folder`,
    );
  }
}

let loadedPackage: Promise<TransformersPackage> | undefined;

/**
 * The package, configured to read local folders only. Loaded as a module of Node's main context (see
 * esm-import.ts): onnxruntime checks typed arrays by identity, which fails across VM contexts in test runners.
 */
export function transformersPackage(): Promise<TransformersPackage> {
  assertTransformersInstalled();
  loadedPackage ??= importEsmPackage<TransformersPackage | { default: TransformersPackage }>(TRANSFORMERS_PACKAGE).then((namespace) => {
    const transformers = 'AutoTokenizer' in namespace ? namespace : namespace.default;
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    return transformers;
  });
  loadedPackage.catch(() => (loadedPackage = undefined));
  return loadedPackage;
}

export interface LoadedTransformersModel {
  lib: TransformersPackage;
  tokenizer: TransformersTokenizer;
  model: TransformersCausalModel;
  /** Positions the model can see (prompt + answer). */
  contextSize: number;
  eosTokenIds: number[];
  slots: Slots;
  /** The text of one token on its own (cached): what a grammar judges before the token is picked. */
  tokenText(token: number): string;
}

function tokenTexts(tokenizer: TransformersTokenizer): (token: number) => string {
  const cache = new Map<number, string>();
  return (token) => {
    let text = cache.get(token);
    if (text === undefined) {
      text = tokenizer.decode([token], { skip_special_tokens: false });
      cache.set(token, text);
    }
    return text;
  };
}

const DEFAULT_POSITIONS = 1024;

function numbersOf(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : [];
}

async function load(folder: string, env: LlamaRuntimeEnv): Promise<LoadedTransformersModel> {
  const lib = await transformersPackage();
  try {
    const tokenizer = await lib.AutoTokenizer.from_pretrained(folder);
    const model = await lib.AutoModelForCausalLM.from_pretrained(folder, { dtype: 'fp32' });
    const config = (model.config ?? {}) as Record<string, unknown>;
    const contextSize = [config.n_positions, config.max_position_embeddings, config.n_ctx].find((value) => typeof value === 'number') as number | undefined;
    const generation = (model.generation_config ?? {}) as Record<string, unknown>;
    const eosTokenIds = [...new Set([...numbersOf(generation.eos_token_id), ...numbersOf(config.eos_token_id)])];
    const slots = new Slots(sequencesSetting(env));
    return { lib, tokenizer, model, contextSize: contextSize ?? DEFAULT_POSITIONS, eosTokenIds, slots, tokenText: tokenTexts(tokenizer) };
  } catch (error) {
    throw new StoryloomError('model_error', `transformers model folder ${folder} could not be loaded: ${(error as Error).message}`);
  }
}

const models = new LoadOnce<LoadedTransformersModel>();

/** The shared loaded model of this folder, loading it on first use. */
export function loadTransformersModel(folder: string, env: LlamaRuntimeEnv): Promise<LoadedTransformersModel> {
  return models.get(folder, () => load(folder, env));
}

/** Frees every loaded transformers model (tests, benchmarks). */
export async function releaseTransformersModels(): Promise<void> {
  for (const loaded of await models.drain()) await loaded.model.dispose();
}
