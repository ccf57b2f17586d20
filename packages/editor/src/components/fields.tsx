// Small form controls shared by the inspector, the pipeline settings and the run console.
import { useEffect, useState, type ReactNode } from 'react';

export function Field({ label, hint, required, children, error }: { label: string; hint?: string; required?: boolean; children: ReactNode; error?: string }) {
  return (
    <label className={`field${error ? ' field-error' : ''}`}>
      <span className="field-label">
        {label}
        {required && <span className="required" title="required">*</span>}
      </span>
      {children}
      {hint && !error && <span className="field-hint">{hint}</span>}
      {error && <span className="field-problem">{error}</span>}
    </label>
  );
}

/** A text box that edits a draft locally and commits on blur or Enter (ids, where half-typed values would be invalid). */
export function CommitInput({ value, onCommit, ...rest }: { value: string; onCommit: (value: string) => void } & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft !== value) onCommit(draft);
  };
  return (
    <input
      {...rest}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setDraft(value);
      }}
    />
  );
}

/** A JSON text area that only hands back parsed values; shows the parse error in place. */
export function JsonEditor({ value, onChange, rows = 8, testId }: { value: unknown; onChange: (value: unknown) => void; rows?: number; testId?: string }) {
  const text = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(text);
    setError(null);
  }, [text]);
  return (
    <div className="json-editor">
      <textarea
        className="mono"
        rows={rows}
        spellCheck={false}
        value={draft}
        data-testid={testId}
        onChange={(e) => {
          setDraft(e.target.value);
          if (e.target.value.trim() === '') {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            const parsed = JSON.parse(e.target.value);
            setError(null);
            onChange(parsed);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error && <span className="field-problem">JSON: {error}</span>}
    </div>
  );
}
