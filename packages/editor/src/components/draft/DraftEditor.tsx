// A draft as a form with the raw JSON one click away. The producer's text is the truth while they type: a
// JSON typo keeps their text, shows where it broke and makes the draft not submittable (never falling back
// to the last text that parsed). Problems are checked with the node's own output schema, in words.
import { useMemo, useState } from 'react';
import type { JsonSchema } from '../../api/client';
import { checkDraft, type DraftProblem, type DraftSource } from '../../lib/draftCheck';
import { setAt, type PathKey } from '../../lib/pointer';
import { useEditor } from '../../store/state';
import { FormContext } from './fields';
import { DraftLayout } from './layouts';

export interface Draft {
  value: unknown;
  jsonText: string;
  /** Why the raw JSON does not parse, or null. */
  jsonError: string | null;
  problems: DraftProblem[];
  /** Parses and fits the schema: fine to submit. */
  ok: boolean;
  /** Differs from what it started as. */
  changed: boolean;
  setValue(path: readonly PathKey[], next: unknown): void;
  setJsonText(text: string): void;
}

const asJson = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

/** Editing state of one draft; remount (a new `key`) to start again from `initial`. */
export function useDraft(initial: unknown, source: DraftSource | undefined, inputs?: Record<string, unknown>): Draft {
  const [value, setValueState] = useState(initial);
  const [jsonText, setJsonTextState] = useState(() => asJson(initial));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const problems = useMemo(() => checkDraft(source, value, inputs), [source?.type, source?.config, value, inputs]);
  const initialText = useMemo(() => asJson(initial), [initial]);
  return {
    value,
    jsonText,
    jsonError,
    problems,
    ok: jsonError === null && problems.length === 0 && value !== undefined,
    changed: jsonError !== null || asJson(value) !== initialText,
    setValue: (path, next) => {
      setValueState((current: unknown) => {
        const updated = setAt(current, path, next);
        setJsonTextState(asJson(updated));
        return updated;
      });
      setJsonError(null);
    },
    setJsonText: (text) => {
      setJsonTextState(text);
      try {
        setValueState(JSON.parse(text));
        setJsonError(null);
      } catch (error) {
        setJsonError(jsonErrorText(text, error as Error));
      }
    },
  };
}

/** "line 4, column 12: Expected ',' or '}'" from the parser's position. */
function jsonErrorText(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message);
  const message = error.message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
  if (!position) return message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = Number(position[1]) - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: ${message}`;
}

export interface DraftEditorProps {
  draft: Draft;
  nodeType?: string;
  readOnly?: boolean;
  /** Where it is shown, for tests and styling ("approval", "output", "rerun"). */
  context: string;
}

export function DraftEditor({ draft, nodeType, readOnly = false, context }: DraftEditorProps) {
  const schema = useEditor((s) => s.catalogue.find((t) => t.type === nodeType)?.outputSchema) as JsonSchema | undefined;
  const [tab, setTab] = useState<'form' | 'json'>('form');
  const isText = typeof draft.value === 'string';
  const problemsByPointer = useMemo(() => Object.fromEntries(draft.problems.map((p) => [p.pointer, p.message])), [draft.problems]);
  const formContext = useMemo(
    () => ({ value: draft.value, readOnly, problems: problemsByPointer, set: draft.setValue }),
    // setValue is stable in effect (it only calls state setters).
    [draft.value, readOnly, problemsByPointer], // eslint-disable-line react-hooks/exhaustive-deps
  );
  return (
    <div className={`draft-editor ${readOnly ? 'read-only' : 'editing'}`} data-context={context}>
      {!isText && (
        <div className="draft-tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'form'}
            className={tab === 'form' ? 'tab active' : 'tab'}
            data-testid="form-tab"
            disabled={draft.jsonError !== null}
            title={draft.jsonError ? 'Fix the JSON first: the form shows what parses' : 'Read and edit as a form'}
            onClick={() => setTab('form')}
          >
            Form
          </button>
          <button type="button" role="tab" aria-selected={tab === 'json'} className={tab === 'json' ? 'tab active' : 'tab'} data-testid="raw-json-tab" onClick={() => setTab('json')}>
            Raw JSON
          </button>
        </div>
      )}
      {tab === 'json' && !isText ? (
        <div className="raw-json">
          <textarea
            className="mono"
            data-testid="raw-json"
            aria-label="Raw JSON of the draft"
            spellCheck={false}
            readOnly={readOnly}
            rows={18}
            value={draft.jsonText}
            aria-invalid={draft.jsonError ? true : undefined}
            onChange={(e) => draft.setJsonText(e.target.value)}
          />
          {draft.jsonError && (
            <p className="field-problem" role="alert" data-testid="json-error">
              The JSON does not parse ({draft.jsonError}). Your text is kept; fix it to submit.
            </p>
          )}
        </div>
      ) : (
        <FormContext.Provider value={formContext}>
          <div className={`draft-form layout-${nodeType ?? 'generic'}`} data-testid="draft-form">
            <DraftLayout type={nodeType} schema={schema} />
          </div>
        </FormContext.Provider>
      )}
      {!readOnly && draft.problems.length > 0 && (
        <ul className="draft-problems" data-testid="draft-problems" role="alert">
          {draft.problems.slice(0, 8).map((problem) => (
            <li key={problem.pointer + problem.message}>{problem.message}</li>
          ))}
          {draft.problems.length > 8 && <li>… and {draft.problems.length - 8} more</li>}
        </ul>
      )}
    </div>
  );
}
