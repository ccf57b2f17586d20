// A model choice as SPEC §6 shorthand: "offline", "openai:<model>", "ollama:<model>".
import type { ModelSpec } from '@storyloom/engine';
import { useEditor } from '../store/state';

function split(value: ModelSpec | undefined): { provider: string; model: string } {
  if (value === undefined) return { provider: '', model: '' };
  if (typeof value === 'string') {
    const [provider, ...rest] = value.split(':');
    return { provider, model: rest.join(':') };
  }
  return { provider: value.provider, model: value.model ?? '' };
}

export function ModelPicker({
  value,
  onChange,
  inheritLabel,
}: {
  value: ModelSpec | undefined;
  onChange: (value: ModelSpec | undefined) => void;
  /** Offered as the empty choice: what applies when nothing is chosen here. */
  inheritLabel: string;
}) {
  const models = useEditor((s) => s.models);
  const { provider, model } = split(value);
  const emit = (nextProvider: string, nextModel: string) => {
    if (!nextProvider) return onChange(undefined);
    if (typeof value === 'object' && value && value.provider === nextProvider) return onChange({ ...value, model: nextModel || undefined });
    onChange((nextModel && nextProvider !== 'offline' ? `${nextProvider}:${nextModel}` : nextProvider) as ModelSpec);
  };
  const known = models.find((m) => m.provider === provider)?.models ?? [];
  return (
    <div className="model-picker">
      <select value={provider} onChange={(e) => emit(e.target.value, e.target.value === provider ? model : '')} data-testid="model-provider">
        <option value="">{inheritLabel}</option>
        {['offline', 'openai', 'ollama'].map((p) => {
          const status = models.find((m) => m.provider === p);
          return (
            <option key={p} value={p}>
              {p}
              {status && !status.available ? ' (not configured)' : ''}
            </option>
          );
        })}
      </select>
      {provider && provider !== 'offline' && (
        <>
          <input list={`models-${provider}`} value={model} placeholder="model name" onChange={(e) => emit(provider, e.target.value)} />
          <datalist id={`models-${provider}`}>
            {known.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </>
      )}
      {provider === 'offline' && <span className="muted small">built-in deterministic writer, no LLM</span>}
    </div>
  );
}
