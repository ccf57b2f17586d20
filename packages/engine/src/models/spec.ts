// Which model a call uses: shorthand parsing, the run → node → pipeline → env → offline resolution order,
// and the human-readable descriptions the API and CLI show. No provider code here.
import { StoryloomError } from '../errors';
import { MODEL_PROVIDERS, ModelSpecObjectSchema, type ModelProvider, type ModelSpec, type ModelSpecObject } from '../pipeline/schema';

/** Environment variables the model layer reads (SPEC §6, §8). Passed in, never read from process.env here. */
export type ModelEnv = Partial<Record<'STORYLOOM_MODEL' | 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'OLLAMA_BASE_URL', string>>;

export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
export const DEFAULT_OLLAMA_MODEL = 'llama3.1';
export const DEFAULT_OLLAMA_BASE_URL = 'http://127.0.0.1:11434';
export const OFFLINE_DESCRIPTION = 'offline (built-in deterministic writer, no LLM)';

const SHORTHAND_HINT = 'use "offline", "openai:<model>", "ollama:<model>" or an object { provider, model? }';

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
      return `openai (${openaiBaseUrl(spec, env) ?? 'https://api.openai.com/v1'})`;
    case 'ollama':
      return `ollama (${ollamaBaseUrl(spec, env)})`;
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
  }
}

export interface AvailableModel {
  provider: ModelProvider;
  available: boolean;
  models?: string[];
  note: string;
}

/** What GET /api/models shows: offline always; openai/ollama when the environment configures them. No network. */
export function availableModels(env: ModelEnv): AvailableModel[] {
  const openaiUrl = env.OPENAI_BASE_URL?.trim();
  const openaiReady = Boolean(env.OPENAI_API_KEY?.trim() || openaiUrl);
  const ollamaUrl = env.OLLAMA_BASE_URL?.trim();
  return [
    { provider: 'offline', available: true, models: ['offline'], note: OFFLINE_DESCRIPTION },
    {
      provider: 'openai',
      available: openaiReady,
      models: openaiReady ? [DEFAULT_OPENAI_MODEL] : undefined,
      note: openaiReady
        ? `OpenAI-compatible API at ${openaiUrl ?? 'https://api.openai.com/v1'}${env.OPENAI_API_KEY ? '' : ' (no OPENAI_API_KEY: local server)'}`
        : 'set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server) to enable',
    },
    {
      provider: 'ollama',
      available: Boolean(ollamaUrl),
      models: ollamaUrl ? [DEFAULT_OLLAMA_MODEL] : undefined,
      note: ollamaUrl ? `Ollama at ${ollamaUrl}` : `set OLLAMA_BASE_URL to enable (default server ${DEFAULT_OLLAMA_BASE_URL})`,
    },
  ];
}
