// Up-front checks of the models a run will use, made by the engine when a run starts (whoever starts it), so a
// run that could only fail at its first model call is refused before anything is stored; and how they are described.
import { StoryloomError } from '../errors';
import { type AllowList, allowListPolicy, isAllowed, listedValues } from '../security/allow-list';
import type { ModelSpec, ModelSpecObject, Pipeline } from '../pipeline/schema';
import { getNodeType } from '../nodes/catalogue';
import { explainModel, type ModelChoice } from './choice';
import { checkModelFile } from './model-files';
import {
  DEFAULT_OLLAMA_BASE_URL,
  availableModels,
  canonicalBaseUrl,
  describeModel,
  envOpenaiBaseUrl,
  type ModelEnv,
  isFileModelProvider,
  normalizeModelSpec,
  openaiConfigured,
} from './spec';
import { assertTransformersInstalled } from './transformers-runtime';

/** The environment variable listing the extra model base URLs runs may name. */
export const MODEL_BASE_URLS_VARIABLE = 'STORYLOOM_MODEL_BASE_URLS';

/**
 * Which `baseUrl`s a run's models may name. `any` for a local single user; otherwise the env-configured
 * endpoints (OPENAI_BASE_URL or api.openai.com, OLLAMA_BASE_URL or the default Ollama server) plus
 * STORYLOOM_MODEL_BASE_URLS, so API users of a shared server cannot make it call arbitrary URLs (SSRF).
 */
export type BaseUrlPolicy = AllowList;

/** `restricted`: the server has API keys (several users). STORYLOOM_MODEL_BASE_URLS, when set, always restricts. */
export function baseUrlPolicy(env: ModelEnv, options: { restricted: boolean }): BaseUrlPolicy {
  const configured = [envOpenaiBaseUrl(env), env.OLLAMA_BASE_URL?.trim() || DEFAULT_OLLAMA_BASE_URL];
  return allowListPolicy(listedValues(env.STORYLOOM_MODEL_BASE_URLS), configured, options, canonicalBaseUrl);
}

export interface RunModelCheckOptions {
  /** How the run's own model is named in messages: `--model` in the CLI, `model` in the API. */
  runModelLabel?: string;
  /** Default `any`. */
  baseUrls?: BaseUrlPolicy;
}

/**
 * Checks every model the run's nodes will use and describes them ("offline (…)", "openai:gpt-4o-mini @ …").
 * Throws `invalid_input` naming where the bad model comes from: an unknown provider or bad spec, openai with
 * neither a key nor a base URL configured, a baseUrl the policy does not allow, or a local model file or
 * transformers folder that is missing, corrupt or (under a restricting policy) outside STORYLOOM_MODELS_DIR.
 */
export function checkRunModels(
  pipeline: Pipeline,
  runModel: ModelSpec | undefined,
  env: ModelEnv,
  options: RunModelCheckOptions = {},
): RunModels {
  const runLabel = options.runModelLabel ?? 'model';
  const policy = options.baseUrls ?? 'any';
  const models = new Map<string, RunModel>();
  for (const node of pipeline.nodes) {
    if (!getNodeType(node.type)?.usesModel) continue; // assembled without a model
    const chosen = explainModel(pipeline, node, { run: runModel ?? undefined, runLabel, environment: env.STORYLOOM_MODEL });
    const where = chosen.where;
    let spec: ModelSpecObject;
    try {
      spec = normalizeModelSpec(chosen.spec);
    } catch (error) {
      throw new StoryloomError('invalid_input', `${where}: ${(error as Error).message}`);
    }
    // OpenAI without a key or a base URL would only fail at the first call: say so now. (Ollama has a
    // default local server, so it is not refused here.)
    if (spec.provider === 'openai' && !spec.baseUrl && !openaiConfigured(env)) {
      // What the environment offers (the models folder listed) is looked up only to explain the refusal.
      const note = availableModels(env).find((candidate) => candidate.provider === 'openai')?.note;
      throw new StoryloomError('invalid_input', `${where}: ${spec.provider} is not configured: ${note}`);
    }
    if (spec.baseUrl !== undefined && policy !== 'any' && !isAllowed(policy, spec.baseUrl, canonicalBaseUrl)) {
      throw new StoryloomError(
        'invalid_input',
        `${where}: baseUrl '${spec.baseUrl}' is not allowed on this server; allowed: ${[...policy.allowed].join(', ')} ` +
          `(add it to ${MODEL_BASE_URLS_VARIABLE}, comma-separated)`,
      );
    }
    if (isFileModelProvider(spec.provider)) {
      // A missing, truncated or wrong model file fails here, naming the file, not at the first model call. On a
      // server that restricts base URLs (several users) only files in the models folder may be named.
      try {
        checkModelFile(spec.provider, spec.model, env, { modelsDirOnly: policy !== 'any' });
        if (spec.provider === 'transformers') assertTransformersInstalled();
      } catch (error) {
        throw new StoryloomError('invalid_input', `${where}: ${(error as Error).message}`);
      }
    }
    const description = describeModel(spec, env);
    const model = models.get(description) ?? { description, spec, choice: chosen, nodes: [] };
    model.nodes.push(node.id);
    models.set(description, model);
  }
  const used = [...models.values()];
  return { descriptions: used.map((model) => model.description), specs: used.map((model) => model.spec), models: used };
}

/** One model a run uses: what it is, why it was chosen, and the nodes that run on it. */
export interface RunModel {
  description: string;
  spec: ModelSpecObject;
  /** Why (for the first of its nodes): the run's model, a node's, the pipeline's, STORYLOOM_MODEL or offline. */
  choice: ModelChoice;
  nodes: string[];
}

export interface RunModels {
  descriptions: string[];
  specs: ModelSpecObject[];
  models: RunModel[];
}

/** `Model: openai:gpt-4o-mini @ … (from STORYLOOM_MODEL …), for 'a', 'b'` lines, one per model a run uses. */
export function describeRunModels(models: RunModels, nodeCount: number): string[] {
  return models.models.map((model) => {
    const which = model.nodes.length === nodeCount || models.models.length === 1 ? '' : `; nodes ${model.nodes.map((id) => `'${id}'`).join(', ')}`;
    return `Model: ${model.description}: ${model.choice.why}${which}`;
  });
}
