// A model choice: a provider, then a model name (for local and transformers, a file or folder the server's
// models folder offers), and sampling settings. Plain choices stay shorthand ("openai:gpt-4o-mini",
// "local:tiny.gguf"); setting a sampling field switches to the object form.
import { explainModel, FILE_MODEL_PROVIDERS, MODEL_PROVIDERS, type ModelChoice, type ModelSpec, type ModelSpecObject } from '@storyloom/engine';
import type { ModelInfo } from '../api/client';
import { useEditor } from '../store/state';

/** Where a picker sits: the run's model, one node's, or the pipeline's default. */
export type ModelScope = { level: 'run' } | { level: 'node'; nodeId: string } | { level: 'pipeline' };

/** STORYLOOM_MODEL as the server reports it: its default model, unless that default is the offline writer. */
function serverModel(models: ModelInfo[]): string | undefined {
  const fallback = models.find((entry) => entry.default);
  return fallback && fallback.provider !== 'offline' ? fallback.defaultModel : undefined;
}

/** Which model this choice leaves a run on, and why: the engine's own rule, with the server's STORYLOOM_MODEL. */
function useModelChoice(scope: ModelScope, value: ModelSpec | undefined): { choice: ModelChoice; ownModels: number } {
  const pipelineModel = useEditor((s) => s.meta.model);
  const environment = useEditor((s) => serverModel(s.models));
  const ownModels = useEditor((s) => s.nodes.filter((node) => node.data.model !== undefined).length);
  const pipeline = { model: scope.level === 'pipeline' ? value : pipelineModel };
  const choice =
    scope.level === 'run'
      ? explainModel(pipeline, undefined, { run: value, runLabel: 'the model chosen here', environment })
      : explainModel(pipeline, scope.level === 'node' ? { id: scope.nodeId, model: value } : undefined, { environment });
  return { choice, ownModels };
}

type SamplingField = 'temperature' | 'topK' | 'topP' | 'seed' | 'maxTokens' | 'repeatPenalty';

const SAMPLING_FIELDS: Array<{ field: SamplingField; label: string; step: number; min: number; max?: number; title: string }> = [
  { field: 'temperature', label: 'temperature', step: 0.1, min: 0, max: 2, title: 'Randomness; 0 always picks the likeliest token' },
  { field: 'topK', label: 'top-k', step: 1, min: 1, title: 'Sample among the K likeliest tokens' },
  { field: 'topP', label: 'top-p', step: 0.05, min: 0.05, max: 1, title: 'Sample among the likeliest tokens adding up to P' },
  { field: 'seed', label: 'seed', step: 1, min: 0, title: 'Same seed, same settings, same prompt: the same text' },
  { field: 'maxTokens', label: 'max tokens', step: 1, min: 1, title: 'Upper bound on the answer length' },
  { field: 'repeatPenalty', label: 'repeat penalty', step: 0.05, min: 1, max: 2, title: 'Above 1 makes repeating tokens less likely' },
];

const PLACEHOLDER: Record<string, string> = { local: 'file.gguf in the models folder', transformers: 'model folder' };

function toObject(value: ModelSpec | undefined): ModelSpecObject | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  const [provider, ...rest] = value.split(':');
  const model = rest.join(':');
  return { provider: provider as ModelSpecObject['provider'], ...(model ? { model } : {}) };
}

/** The shortest spelling of a spec: shorthand unless it carries settings beyond provider and model. */
function simplest(spec: ModelSpecObject): ModelSpec {
  const { provider, model, ...settings } = spec;
  if (Object.values(settings).some((setting) => setting !== undefined)) return spec;
  return (model && provider !== 'offline' ? `${provider}:${model}` : provider) as ModelSpec;
}

export function ModelPicker({
  value,
  onChange,
  inheritLabel,
  scope,
}: {
  value: ModelSpec | undefined;
  onChange: (value: ModelSpec | undefined) => void;
  /** Offered as the empty choice: what applies when nothing is chosen here. */
  inheritLabel: string;
  scope: ModelScope;
}) {
  const models = useEditor((s) => s.models);
  const { choice, ownModels } = useModelChoice(scope, value);
  const spec = toObject(value);
  const provider = spec?.provider ?? '';
  const model = spec?.model ?? '';
  const update = (next: ModelSpecObject | undefined) => onChange(next ? simplest(next) : undefined);
  const chooseProvider = (next: string) =>
    update(next ? { ...(spec?.provider === next ? spec : {}), provider: next as ModelSpecObject['provider'] } : undefined);
  const setSampling = (field: SamplingField, text: string) => {
    if (!spec) return;
    const number = text === '' ? undefined : Number(text);
    update({ ...spec, [field]: number !== undefined && Number.isFinite(number) ? number : undefined });
  };
  const status = models.find((m) => m.provider === provider);
  const known = status?.models ?? [];
  const isFile = (FILE_MODEL_PROVIDERS as readonly string[]).includes(provider);
  return (
    <div className="model-picker-block">
      <div className="model-picker">
        <select value={provider} onChange={(e) => chooseProvider(e.target.value)} data-testid="model-provider">
          <option value="">{inheritLabel}</option>
          {MODEL_PROVIDERS.map((p) => {
            const entry = models.find((m) => m.provider === p);
            return (
              <option key={p} value={p}>
                {p}
                {entry && !entry.available ? ' (not configured)' : ''}
              </option>
            );
          })}
        </select>
        {provider && provider !== 'offline' && (
          <>
            <input
              list={`models-${provider}`}
              value={model}
              placeholder={PLACEHOLDER[provider] ?? 'model name'}
              onChange={(e) => update({ ...spec!, model: e.target.value || undefined })}
              data-testid="model-name"
            />
            <datalist id={`models-${provider}`}>
              {known.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </>
        )}
        {provider === 'offline' && <span className="muted small">built-in deterministic writer, no LLM</span>}
      </div>
      <div className="muted small" data-testid="model-explanation" data-source={choice.source}>
        {scope.level === 'node' ? 'This node runs on ' : 'Runs on '}
        {choice.text}
        {scope.level !== 'node' && value === undefined && ownModels > 0 ? ` (${ownModels === 1 ? 'one node names' : `${ownModels} nodes name`} its own)` : ''}
      </div>
      {isFile && status && (
        <div className="muted small" data-testid="model-files-note">
          {known.length === 0 ? `${status.note}` : `${known.length} offered by the server's models folder`}
        </div>
      )}
      {provider && provider !== 'offline' && (
        <details className="model-sampling" data-testid="model-sampling">
          <summary className="small">sampling</summary>
          <div className="model-sampling-grid">
            {SAMPLING_FIELDS.map(({ field, label, step, min, max, title }) => (
              <label key={field} title={title} className="small">
                {label}
                <input
                  type="number"
                  step={step}
                  min={min}
                  max={max}
                  value={spec?.[field] ?? ''}
                  placeholder="default"
                  onChange={(e) => setSampling(field, e.target.value)}
                  data-testid={`sampling-${field}`}
                />
              </label>
            ))}
          </div>
        </details>
      )}
    </div>
  );
}
