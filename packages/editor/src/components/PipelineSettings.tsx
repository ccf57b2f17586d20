// Pipeline-level settings: id, name, description, default model, budget and run inputs.
import type { InputDefinition } from '@storyloom/engine';
import { updateMeta } from '../store/documentActions';
import { useEditor } from '../store/state';
import { toast } from '../store/toasts';
import { BudgetLimits } from './BudgetFields';
import { CommitInput, Field } from './fields';
import { ModelPicker } from './ModelPicker';

const INPUT_TYPES: InputDefinition['type'][] = ['string', 'text', 'number', 'boolean'];

export function PipelineSettings() {
  const meta = useEditor((s) => s.meta);
  const savedVersion = useEditor((s) => s.savedVersion);
  const problems = useEditor((s) => s.validation.errors);
  const inputs = Object.entries(meta.inputs ?? {});
  const pipelineProblem = (prefix: string) => problems.find((p) => p.path === prefix || p.path.startsWith(prefix + '/'))?.message;

  const setInputs = (entries: Array<[string, InputDefinition]>, coalesce?: string) =>
    updateMeta({ inputs: entries.length ? Object.fromEntries(entries) : undefined }, coalesce);
  const patchInput = (name: string, patch: Partial<InputDefinition>, coalesce?: string) =>
    setInputs(
      inputs.map(([n, d]) => {
        if (n !== name) return [n, d];
        const next = { ...d, ...patch } as InputDefinition;
        for (const key of Object.keys(patch) as Array<keyof InputDefinition>) if (next[key] === undefined) delete next[key];
        return [n, next];
      }),
      coalesce,
    );

  return (
    <div className="pipeline-settings">
      <Field label="Pipeline id" hint={savedVersion === null ? 'fixed once saved' : `saved · version ${savedVersion}`} error={pipelineProblem('/id')}>
        <CommitInput
          value={meta.id}
          disabled={savedVersion !== null}
          data-testid="pipeline-id"
          onCommit={(id) => (id ? updateMeta({ id }) : toast('error', 'A pipeline needs an id'))}
        />
      </Field>
      <Field label="Name" error={pipelineProblem('/name')}>
        <input data-testid="pipeline-name" value={meta.name} onChange={(e) => updateMeta({ name: e.target.value }, 'name')} />
      </Field>
      <Field label="Description">
        <textarea rows={2} value={meta.description ?? ''} onChange={(e) => updateMeta({ description: e.target.value || undefined }, 'description')} />
      </Field>
      <Field label="Default model" hint="nodes may override it; a run may override both; the server default is STORYLOOM_MODEL, else offline">
        <ModelPicker scope={{ level: 'pipeline' }} value={meta.model} onChange={(model) => updateMeta({ model }, 'model')} inheritLabel="(server default)" />
      </Field>
      {/* Not a Field: its two inputs carry their own labels, and labels do not nest. */}
      <div className={`field${pipelineProblem('/budget') ? ' field-error' : ''}`} data-testid="pipeline-budget">
        <span className="field-label">Budget</span>
        <BudgetLimits value={meta.budget} onChange={(budget) => updateMeta({ budget: budget.maxTokens === undefined && budget.maxCostUsd === undefined ? undefined : budget }, 'budget')} />
        {pipelineProblem('/budget') ? (
          <span className="field-problem">{pipelineProblem('/budget')}</span>
        ) : (
          <span className="field-hint">a run stops before a node that would pass it and asks whether to go on</span>
        )}
      </div>
      <h4 className="subhead">
        Run inputs
        <button
          className="ghost small"
          data-testid="add-input"
          onClick={() => {
            let name = 'input';
            for (let n = 2; meta.inputs?.[name]; n++) name = `input${n}`;
            setInputs([...inputs, [name, { type: 'string' }]]);
          }}
        >
          + Add input
        </button>
      </h4>
      {inputs.length === 0 && <p className="muted small">No inputs. Templates and config can use {'{{inputs.name}}'}.</p>}
      {inputs.map(([name, definition]) => (
        <div className="input-def" key={name}>
          <div className="input-def-row">
            <CommitInput
              className="mono"
              value={name}
              aria-label="input name"
              onCommit={(next) => {
                if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(next)) return toast('error', `'${next}' is not a valid input name`);
                if (meta.inputs?.[next]) return toast('error', `An input named '${next}' exists`);
                setInputs(inputs.map(([n, d]) => [n === name ? next : n, d]));
              }}
            />
            <select aria-label={`type of input ${name}`} value={definition.type} onChange={(e) => patchInput(name, { type: e.target.value as InputDefinition['type'], default: undefined })}>
              {INPUT_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <label className="toggle small">
              <input type="checkbox" checked={!!definition.required} onChange={(e) => patchInput(name, { required: e.target.checked || undefined })} />
              required
            </label>
            <button className="icon danger" title={`Remove input ${name}`} aria-label={`Remove input ${name}`} onClick={() => setInputs(inputs.filter(([n]) => n !== name))}>
              ×
            </button>
          </div>
          <div className="input-def-row">
            <input
              aria-label={`default of input ${name}`}
              placeholder="default"
              value={definition.default === undefined ? '' : String(definition.default)}
              onChange={(e) => {
                const text = e.target.value;
                const value = text === '' ? undefined : definition.type === 'number' && !Number.isNaN(Number(text)) ? Number(text) : definition.type === 'boolean' ? text === 'true' : text;
                patchInput(name, { default: value }, `default:${name}`);
              }}
            />
            <input aria-label={`description of input ${name}`} placeholder="description" value={definition.description ?? ''} onChange={(e) => patchInput(name, { description: e.target.value || undefined }, `description:${name}`)} />
          </div>
          {pipelineProblem(`/inputs/${name}`) && <span className="field-problem">{pipelineProblem(`/inputs/${name}`)}</span>}
        </div>
      ))}
    </div>
  );
}
