// Which model a call uses: shorthand parsing, the run → node → pipeline → env → offline resolution order,
// and the human-readable descriptions the API and CLI show. No provider code here.
import { StoryloomError } from '../errors';
import type { AvailableModel } from '../contract/api';
import { FILE_MODEL_PROVIDERS, MODEL_PROVIDERS, ModelSpecObjectSchema, type ModelProvider, type ModelSpec, type ModelSpecObject } from '../pipeline/schema';
import { MODELS_DIR_VARIABLE, listModelFiles, modelsDir } from './model-files';
import { TRANSFORMERS_INSTALL, transformersInstalled } from './transformers-runtime';

/** Environment variables the model layer reads. Passed in, never read from process.env here. */
export type ModelEnv = Partial<
  Record<
    | 'STORYLOOM_MODEL'
    | 'STORYLOOM_MODEL_BASE_URLS'
    | 'OPENAI_API_KEY'
    | 'OPENAI_BASE_URL'
    | 'OLLAMA_BASE_URL'
    | 'STORYLOOM_MODELS_DIR'
    | 'STORYLOOM_LOCAL_GPU'
    | 'STORYLOOM_LOCAL_SEQUENCES'
    | 'STORYLOOM_LOCAL_THREADS'
    | 'STORYLOOM_PRICES',
    string
  >
>;

export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
export const DEFAULT_OLLAMA_MODEL = 'llama3.1';
export const DEFAULT_OLLAMA_BASE_URL = 'http://127.0.0.1:11434';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const OFFLINE_DESCRIPTION = 'offline (built-in deterministic writer, no LLM)';

const SHORTHAND_HINT =
  'use "offline", "openai:<model>", "ollama:<model>", "local:<file.gguf>", "transformers:<folder>" or an object { provider, model? }';

/** `local` and `transformers`: the model is a file or folder on this machine. */
export function isFileModelProvider(provider: ModelProvider): provider is (typeof FILE_MODEL_PROVIDERS)[number] {
  return (FILE_MODEL_PROVIDERS as readonly string[]).includes(provider);
}

function isProvider(name: string): name is ModelProvider {
  return (MODEL_PROVIDERS as readonly string[]).includes(name);
}

/** `"openai:gpt-4o-mini"` → `{ provider: 'openai', model: 'gpt-4o-mini' }`; throws `invalid_input` naming the bad part. */
export function parseModelShorthand(text: string): ModelSpecObject {
  const trimmed = text.trim();
  if (trimmed === '') throw new StoryloomError('invalid_input', `empty model spec: ${SHORTHAND_HINT}`);
  const colon = trimmed.indexOf(':');
  const provider = colon === -1 ? trimmed : trimmed.slice(0, colon);
  const model = colon === -1 ? undefined : trimmed.slice(colon + 1).trim();
  if (!isProvider(provider)) {
    throw new StoryloomError('invalid_input', `unknown model provider '${provider}' in model spec '${trimmed}': ${SHORTHAND_HINT}`);
  }
  if (model !== undefined && model === '') {
    throw new StoryloomError('invalid_input', `model spec '${trimmed}' names no model after '${provider}:': ${SHORTHAND_HINT}`);
  }
  if (provider === 'offline') {
    if (model !== undefined) throw new StoryloomError('invalid_input', `model spec '${trimmed}': the offline model takes no model name`);
    return { provider };
  }
  if (model === undefined && isFileModelProvider(provider)) {
    const example = provider === 'local' ? 'local:<file.gguf>' : 'transformers:<folder>';
    throw new StoryloomError('invalid_input', `model spec '${trimmed}' names no model: use "${example}", relative to ${MODELS_DIR_VARIABLE} or absolute`);
  }
  return model === undefined ? { provider } : { provider, model };
}

/** Expands a shorthand string or checks an object spec; throws `invalid_input` naming the problem. */
export function normalizeModelSpec(spec: ModelSpec | unknown): ModelSpecObject {
  if (typeof spec === 'string') return parseModelShorthand(spec);
  const parsed = ModelSpecObjectSchema.safeParse(spec);
  if (parsed.success) return parsed.data;
  const provider = (spec as { provider?: unknown } | null)?.provider;
  if (typeof provider === 'string' && !isProvider(provider)) {
    throw new StoryloomError('invalid_input', `unknown model provider '${provider}': ${SHORTHAND_HINT}`);
  }
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'model'}: ${issue.message}`).join('; ');
  throw new StoryloomError('invalid_input', `invalid model spec (${problems}): ${SHORTHAND_HINT}`);
}

/** Resolution order: run → node → pipeline (the candidates, first defined wins) → STORYLOOM_MODEL → offline. */
export function resolveModelSpec(candidates: Array<ModelSpec | undefined>, env: ModelEnv): ModelSpecObject {
  const chosen = candidates.find((candidate) => candidate !== undefined && candidate !== null);
  if (chosen !== undefined) return normalizeModelSpec(chosen);
  const fromEnv = env.STORYLOOM_MODEL?.trim();
  if (fromEnv) {
    try {
      return normalizeModelSpec(fromEnv);
    } catch (error) {
      throw new StoryloomError('invalid_input', `STORYLOOM_MODEL: ${(error as Error).message}`);
    }
  }
  return { provider: 'offline' };
}

/**
 * A base URL in one canonical spelling (scheme and host lower-cased, no trailing slash), for comparing. Every
 * OpenAI call compares its endpoint with the environment's (the key goes to that one only), and parsing a URL
 * costs more than the rest of choosing the client: the few distinct URLs a process sees are remembered.
 */
export function canonicalBaseUrl(url: string): string {
  let canonical = canonicalUrls.get(url);
  if (canonical === undefined) {
    canonical = canonicalSpelling(url);
    if (canonicalUrls.size >= MAX_REMEMBERED_URLS) canonicalUrls.clear();
    canonicalUrls.set(url, canonical);
  }
  return canonical;
}

const canonicalUrls = new Map<string, string>();
const MAX_REMEMBERED_URLS = 256;

function canonicalSpelling(url: string): string {
  const trimmed = url.trim();
  try {
    const parsed = new URL(trimmed);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
  } catch {
    return trimmed.replace(/\/+$/, '');
  }
}

export function sameBaseUrl(a: string, b: string): boolean {
  return canonicalBaseUrl(a) === canonicalBaseUrl(b);
}

/** The OpenAI endpoint the environment configures (OPENAI_BASE_URL, else api.openai.com): the only one OPENAI_API_KEY goes to. */
export function envOpenaiBaseUrl(env: ModelEnv): string {
  return env.OPENAI_BASE_URL?.trim() || DEFAULT_OPENAI_BASE_URL;
}

/** The base URL an OpenAI-compatible spec talks to, or undefined for api.openai.com. */
export function openaiBaseUrl(spec: ModelSpecObject, env: ModelEnv): string | undefined {
  return spec.baseUrl ?? (env.OPENAI_BASE_URL?.trim() || undefined);
}

export function ollamaBaseUrl(spec: ModelSpecObject, env: ModelEnv): string {
  return spec.baseUrl ?? (env.OLLAMA_BASE_URL?.trim() || DEFAULT_OLLAMA_BASE_URL);
}

/** `provider (where)` — used in error messages, e.g. `openai (http://127.0.0.1:5999/v1)`. */
export function providerLocation(spec: ModelSpecObject, env: ModelEnv = {}): string {
  switch (spec.provider) {
    case 'offline':
      return 'offline';
    case 'openai':
      return `openai (${openaiBaseUrl(spec, env) ?? DEFAULT_OPENAI_BASE_URL})`;
    case 'ollama':
      return `ollama (${ollamaBaseUrl(spec, env)})`;
    case 'local':
    case 'transformers':
      return `${spec.provider} model ${spec.model ?? '(none)'}`;
  }
}

/** "offline (built-in deterministic writer, no LLM)", "openai:gpt-4o-mini @ http://…". */
export function describeModel(spec: ModelSpecObject, env: ModelEnv = {}): string {
  switch (spec.provider) {
    case 'offline':
      return spec.latencyMs ? `${OFFLINE_DESCRIPTION}, simulated latency ${spec.latencyMs} ms` : OFFLINE_DESCRIPTION;
    case 'openai': {
      const url = openaiBaseUrl(spec, env);
      return `openai:${spec.model ?? DEFAULT_OPENAI_MODEL}${url ? ` @ ${url}` : ''}`;
    }
    case 'ollama':
      return `ollama:${spec.model ?? DEFAULT_OLLAMA_MODEL} @ ${ollamaBaseUrl(spec, env)}`;
    case 'local':
      return `local:${spec.model ?? ''} (GGUF through node-llama-cpp, in this process)`;
    case 'transformers':
      return `transformers:${spec.model ?? ''} (ONNX through transformers.js, in this process)`;
  }
}

export type { AvailableModel };

/** The model STORYLOOM_MODEL names (offline when unset), or the reason it cannot be read. */
function defaultModelOf(env: ModelEnv): { spec: ModelSpecObject } | { problem: string } {
  try {
    return { spec: resolveModelSpec([], env) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** The model name a spec uses ('offline' for the offline model). */
function modelNameOf(spec: ModelSpecObject): string {
  if (spec.provider === 'offline') return 'offline';
  if (isFileModelProvider(spec.provider)) return spec.model ?? '';
  return spec.model ?? (spec.provider === 'openai' ? DEFAULT_OPENAI_MODEL : DEFAULT_OLLAMA_MODEL);
}

/** `openai:gpt-4o-mini`, `local:tiny.gguf`, `offline`: how a spec is named in messages and in the price table. */
export function shorthandOf(spec: ModelSpecObject): string {
  return spec.provider === 'offline' ? 'offline' : `${spec.provider}:${modelNameOf(spec)}`;
}

function fileProviderNote(what: string, count: number, env: ModelEnv, problem: string | undefined): string {
  const dir = modelsDir(env);
  if (problem) return problem;
  return `${count} ${what} in ${dir} (${MODELS_DIR_VARIABLE}); run in this process, nothing is sent anywhere`;
}

/** An OpenAI key or an OpenAI-compatible server is configured. */
export function openaiConfigured(env: ModelEnv): boolean {
  return Boolean(env.OPENAI_API_KEY?.trim() || env.OPENAI_BASE_URL?.trim());
}

/**
 * What GET /api/models shows: offline always; openai/ollama when the environment configures them. No network:
 * `available` means configured, not reachable. Which provider and model are the default (STORYLOOM_MODEL) is marked.
 */
export function availableModels(env: ModelEnv): AvailableModel[] {
  const openaiUrl = env.OPENAI_BASE_URL?.trim();
  const openaiReady = openaiConfigured(env);
  const ollamaUrl = env.OLLAMA_BASE_URL?.trim();
  const fallback = defaultModelOf(env);
  const defaultSpec = 'spec' in fallback ? fallback.spec : undefined;
  const defaultNote = (provider: ModelProvider) =>
    defaultSpec?.provider !== provider
      ? ''
      : env.STORYLOOM_MODEL?.trim()
        ? `; the default (STORYLOOM_MODEL=${env.STORYLOOM_MODEL.trim()})`
        : '; the default (STORYLOOM_MODEL is not set)';
  const badDefault = 'problem' in fallback ? `; ${fallback.problem}, so runs that name no model are refused` : '';
  const files = listModelFiles(env);
  const entry = (provider: ModelProvider, available: boolean, note: string, offered?: string[]): AvailableModel => {
    const isDefault = defaultSpec?.provider === provider;
    const defaultName = isDefault && defaultSpec ? [modelNameOf(defaultSpec)] : [];
    const known =
      provider === 'offline'
        ? ['offline']
        : offered
          ? [...new Set([...defaultName, ...offered])]
          : defaultName.length > 0
            ? defaultName
            : undefined;
    return {
      provider,
      available,
      ...(known ? { models: known } : {}),
      default: isDefault,
      ...(isDefault && defaultSpec ? { defaultModel: shorthandOf(defaultSpec) } : {}),
      note: note + defaultNote(provider),
    };
  };
  return [
    entry('offline', true, OFFLINE_DESCRIPTION + badDefault),
    entry(
      'openai',
      openaiReady,
      openaiReady
        ? `OpenAI-compatible API at ${openaiUrl || DEFAULT_OPENAI_BASE_URL}${env.OPENAI_API_KEY?.trim() ? '' : ' (no OPENAI_API_KEY: local server)'}; not contacted until a run uses it`
        : 'set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server) to enable',
    ),
    entry(
      'ollama',
      Boolean(ollamaUrl),
      ollamaUrl
        ? `Ollama at ${ollamaUrl} (configured; not checked until a run uses it)`
        : `set OLLAMA_BASE_URL to enable (default server ${DEFAULT_OLLAMA_BASE_URL})`,
    ),
    entry('local', true, fileProviderNote('GGUF files', files.local.length, env, files.problem), files.local),
    entry(
      'transformers',
      transformersInstalled(),
      transformersInstalled()
        ? fileProviderNote('Transformers ONNX folders', files.transformers.length, env, files.problem)
        : `optional install: ${TRANSFORMERS_INSTALL} (see the README)`,
      files.transformers,
    ),
  ];
}
