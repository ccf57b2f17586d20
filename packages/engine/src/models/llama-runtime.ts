// node-llama-cpp inside this process: the library is loaded once, each GGUF file once (per context size), and
// concurrent nodes share that model through a bounded pool of context sequences, so a fan-out of ten scenes
// does not load the weights ten times. CPU-only unless STORYLOOM_LOCAL_GPU asks for a GPU build; never builds
// or downloads anything.
import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import { StoryloomError } from '../errors';
import { MissingPackageError, importEsmPackage } from './esm-import';
import { toGbnf } from './grammar';
import { answerGrammar } from './json-grammar';
import { LoadOnce } from './load-once';
import { Slots } from './slots';

type NodeLlamaCpp = typeof import('node-llama-cpp');

export interface LlamaRuntimeEnv {
  /** `off` (default on Linux and Windows), `auto`, `cuda`, `vulkan` or `metal` (default on macOS: `auto`). */
  STORYLOOM_LOCAL_GPU?: string;
  /** Context sequences per loaded model: how many generations run at once on it (default 4). */
  STORYLOOM_LOCAL_SEQUENCES?: string;
  /** CPU threads per generation (default: llama.cpp's choice, every core). Fewer helps on a busy shared machine. */
  STORYLOOM_LOCAL_THREADS?: string;
}

export const DEFAULT_LOCAL_SEQUENCES = 4;
/** Context size when the spec names none: enough for a scene prompt and its answer, small enough for a laptop. */
export const DEFAULT_LOCAL_CONTEXT = 4096;

const INSTALL_HINT = 'npm install node-llama-cpp@3.22.1 (it ships with Storyloom; reinstall with `npm install`)';

export async function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  try {
    return await importEsmPackage<NodeLlamaCpp>('node-llama-cpp');
  } catch (error) {
    if (error instanceof MissingPackageError) {
      throw new StoryloomError('invalid_input', `local models need node-llama-cpp, which is not installed: ${INSTALL_HINT}`);
    }
    throw error;
  }
}

type GpuSetting = false | 'auto' | 'cuda' | 'vulkan' | 'metal';

export function gpuSetting(env: LlamaRuntimeEnv, platform = process.platform): GpuSetting {
  const value = env.STORYLOOM_LOCAL_GPU?.trim().toLowerCase();
  if (!value) return platform === 'darwin' ? 'auto' : false;
  if (value === 'off' || value === 'false' || value === 'cpu') return false;
  if (value === 'auto' || value === 'cuda' || value === 'vulkan' || value === 'metal') return value;
  throw new StoryloomError('invalid_input', `STORYLOOM_LOCAL_GPU must be off, auto, cuda, vulkan or metal, got "${env.STORYLOOM_LOCAL_GPU}"`);
}

function integerSetting(name: keyof LlamaRuntimeEnv, env: LlamaRuntimeEnv, max: number): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
    throw new StoryloomError('invalid_input', `${name} must be an integer from 1 to ${max}, got "${value}"`);
  }
  return parsed;
}

export function sequencesSetting(env: LlamaRuntimeEnv): number {
  return integerSetting('STORYLOOM_LOCAL_SEQUENCES', env, 64) ?? DEFAULT_LOCAL_SEQUENCES;
}

export function threadsSetting(env: LlamaRuntimeEnv): number | undefined {
  return integerSetting('STORYLOOM_LOCAL_THREADS', env, 512);
}

const llamas = new LoadOnce<Llama>();

function llamaFor(gpu: GpuSetting): Promise<Llama> {
  return llamas.get(String(gpu), async () => {
    const lib = await loadNodeLlamaCpp();
    try {
      return await lib.getLlama({ gpu, build: 'never', progressLogs: false, logLevel: lib.LlamaLogLevel.error });
    } catch (error) {
      throw new StoryloomError(
        'invalid_input',
        `node-llama-cpp has no prebuilt binary for ${gpu === false ? 'CPU' : gpu} here (${(error as Error).message}); ` +
          'see the README (Local models) for GPU builds, or unset STORYLOOM_LOCAL_GPU',
      );
    }
  });
}

/** Context sequences of one context, reused: at most `size` generations run on it at once. */
class SequencePool {
  private readonly slots: Slots;
  private readonly idle: LlamaContextSequence[] = [];

  constructor(
    private readonly context: LlamaContext,
    readonly size: number,
  ) {
    this.slots = new Slots(size);
  }

  async acquire(signal?: AbortSignal): Promise<{ sequence: LlamaContextSequence; release: () => void }> {
    const releaseSlot = await this.slots.acquire(signal);
    const sequence = this.idle.pop() ?? this.context.getSequence();
    return {
      sequence,
      release: () => {
        this.idle.push(sequence);
        releaseSlot();
      },
    };
  }
}

/** A GGUF model loaded once and shared: its context, its sequences, its chat template (if any), its grammars. */
export class LoadedLlamaModel {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(
    readonly lib: NodeLlamaCpp,
    readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly pool: SequencePool,
    /** The GGUF's own chat template, or undefined: then prompts are sent as plain text to complete. */
    readonly chatWrapper: ChatWrapper | undefined,
    /** Tokens one sequence can hold (prompt + answer). */
    readonly contextSize: number,
    readonly path: string,
  ) {}

  get sequences(): number {
    return this.pool.size;
  }

  /** Runs `work` on a free sequence (waiting for one if all are busy); the sequence is cleared and returned after. */
  async withSequence<T>(signal: AbortSignal | undefined, work: (sequence: LlamaContextSequence) => Promise<T>): Promise<T> {
    const { sequence, release } = await this.pool.acquire(signal);
    try {
      return await work(sequence);
    } finally {
      await sequence.clearHistory().catch(() => undefined);
      release();
    }
  }

  /**
   * A grammar that only lets the model write JSON matching `schema` (a JSON Schema), fitted to `fitTo` tokens
   * when given; cached per schema and budget.
   */
  grammarFor(schema: Record<string, unknown>, fitTo?: number): Promise<LlamaGrammar> {
    const key = JSON.stringify([schema, fitTo ?? null]);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      const gbnf = toGbnf(answerGrammar(schema, fitTo, `local model ${this.path}`));
      grammar = this.llama.createGrammar({ grammar: gbnf });
      grammar.catch(() => this.grammars.delete(key));
      this.grammars.set(key, grammar);
    }
    return grammar;
  }
}

export interface LoadLlamaModelOptions {
  path: string;
  /** Requested context size; the model's trained size caps it. */
  contextSize?: number;
  env: LlamaRuntimeEnv;
}

const models = new LoadOnce<LoadedLlamaModel>();

async function load(options: LoadLlamaModelOptions, gpu: GpuSetting, sequences: number, threads: number | undefined): Promise<LoadedLlamaModel> {
  const llama = await llamaFor(gpu);
  const lib = await loadNodeLlamaCpp();
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: options.path });
  } catch (error) {
    throw new StoryloomError('model_error', `local model file ${options.path} could not be loaded by llama.cpp: ${(error as Error).message}`);
  }
  const contextSize = Math.min(options.contextSize ?? DEFAULT_LOCAL_CONTEXT, model.trainContextSize || Number.MAX_SAFE_INTEGER);
  let context: LlamaContext;
  try {
    context = await model.createContext({ contextSize, sequences, ...(threads ? { threads } : {}) });
  } catch (error) {
    await model.dispose();
    throw new StoryloomError(
      'model_error',
      `local model ${options.path}: no room for ${sequences} sequences of ${contextSize} tokens (${(error as Error).message}); ` +
        'lower contextSize in the model spec or STORYLOOM_LOCAL_SEQUENCES',
    );
  }
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  const chatWrapper = template ? lib.resolveChatWrapper(model) ?? undefined : undefined;
  const pool = new SequencePool(context, sequences);
  return new LoadedLlamaModel(lib, llama, model, pool, chatWrapper, context.contextSize, options.path);
}

/** The shared loaded model for this file and context size, loading it on first use. */
export function loadLlamaModel(options: LoadLlamaModelOptions): Promise<LoadedLlamaModel> {
  const gpu = gpuSetting(options.env);
  const sequences = sequencesSetting(options.env);
  const threads = threadsSetting(options.env);
  const key = JSON.stringify([options.path, options.contextSize ?? null, gpu, sequences, threads ?? null]);
  return models.get(key, () => load(options, gpu, sequences, threads));
}

/** Frees every loaded model and the native library (tests, benchmarks, a server shutting down). */
export async function releaseLlamaModels(): Promise<void> {
  for (const loaded of await models.drain()) await loaded.model.dispose();
  for (const llama of await llamas.drain()) await llama.dispose();
}
