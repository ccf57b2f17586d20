// Which model a node runs on and why: the run's model, else the node's, else the pipeline's, else
// STORYLOOM_MODEL, else the built-in offline writer. Browser-safe, so the CLI, the server and the editor's
// model picker say the same thing; the environment is passed in (the editor learns it from GET /api/models).
import type { ModelSpec, Pipeline, PipelineNode } from '../pipeline/schema';

export type ModelSource = 'run' | 'node' | 'pipeline' | 'environment' | 'offline';

export interface ModelChoice {
  /** The model as written where it was found (`offline` when nothing names one). */
  spec: ModelSpec;
  source: ModelSource;
  /** Where it was found, for messages: `--model`, `node 'lines'`, `pipeline model`, `STORYLOOM_MODEL`, `offline`. */
  where: string;
  /** Why, in words: `from STORYLOOM_MODEL (neither the run, the node nor the pipeline names a model)`. */
  why: string;
  /** One line for people: `openai:gpt-4o-mini, from STORYLOOM_MODEL (neither the run, the node nor the pipeline names a model)`. */
  text: string;
}

export interface ExplainModelOptions {
  /** The run's own model (`--model`, or `model` in POST /api/runs). */
  run?: ModelSpec;
  /** How the run's model is named in messages; default `the run's model`. */
  runLabel?: string;
  /** STORYLOOM_MODEL as the process running the pipeline sees it. */
  environment?: string;
}

/** `openai:gpt-4o-mini`, `offline`, `local:tiny.gguf`, the object form as `provider:model (+settings)`. */
export function modelLabel(spec: ModelSpec): string {
  if (typeof spec === 'string') return spec;
  const { provider, model, ...settings } = spec;
  const name = provider === 'offline' || !model ? provider : `${provider}:${model}`;
  const set = Object.entries(settings).filter(([, value]) => value !== undefined);
  return set.length === 0 ? name : `${name} (${set.map(([key, value]) => `${key} ${String(value)}`).join(', ')})`;
}

const given = (spec: ModelSpec | undefined | null): spec is ModelSpec => spec !== undefined && spec !== null;

/** The model `node` runs on (or, without a node, what a node naming none runs on) and where that choice came from. */
export function explainModel(pipeline: Pick<Pipeline, 'model'>, node: Pick<PipelineNode, 'id' | 'model'> | undefined, options: ExplainModelOptions = {}): ModelChoice {
  const environment = options.environment?.trim();
  if (given(options.run)) return choice(options.run, 'run', options.runLabel ?? "the run's model", `chosen for this run (${options.runLabel ?? "the run's model"})`);
  if (node && given(node.model)) return choice(node.model, 'node', `node '${node.id}'`, `set on node '${node.id}'`);
  if (given(pipeline.model)) return choice(pipeline.model, 'pipeline', 'pipeline model', "the pipeline's model");
  if (environment) return choice(environment, 'environment', 'STORYLOOM_MODEL', 'from STORYLOOM_MODEL (neither the run, the node nor the pipeline names a model)');
  return choice('offline', 'offline', 'offline', 'nothing names a model (not the run, the node, the pipeline or STORYLOOM_MODEL)');
}

function choice(spec: ModelSpec, source: ModelSource, where: string, why: string): ModelChoice {
  return { spec, source, where, why, text: `${modelLabel(spec)}, ${why}` };
}

/** The models a pipeline's model-using nodes run on, each with why and the nodes on it, in pipeline order. */
export function explainPipelineModels(
  pipeline: Pick<Pipeline, 'model' | 'nodes'>,
  options: ExplainModelOptions & { usesModel: (type: string) => boolean },
): Array<{ choice: ModelChoice; nodes: string[] }> {
  const byText = new Map<string, { choice: ModelChoice; nodes: string[] }>();
  for (const node of pipeline.nodes) {
    if (!options.usesModel(node.type)) continue;
    const chosen = explainModel(pipeline, node, options);
    const entry = byText.get(chosen.text) ?? { choice: chosen, nodes: [] };
    entry.nodes.push(node.id);
    byText.set(chosen.text, entry);
  }
  return [...byText.values()];
}
