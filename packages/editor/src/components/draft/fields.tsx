// The building blocks of a draft form: text, number, yes/no and name-list fields bound to a JSON pointer,
// and editable lists with add/remove. Each input carries `data-field` (its pointer) and shows its own
// problem in place; in read-only mode the same fields read as plain text.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { pointerOf, valueAt, type PathKey } from '../../lib/pointer';

export interface DraftFormContext {
  value: unknown;
  readOnly: boolean;
  problems: Record<string, string>;
  set(path: readonly PathKey[], next: unknown): void;
}

export const FormContext = createContext<DraftFormContext>({ value: undefined, readOnly: true, problems: {}, set: () => undefined });

export const useForm = () => useContext(FormContext);

function Problem({ pointer }: { pointer: string }) {
  const message = useForm().problems[pointer];
  return message ? (
    <span className="field-problem" role="alert">
      {message}
    </span>
  ) : null;
}

/** Rows enough for the text, within bounds, so a paragraph reads without scrolling a tiny box. */
function rowsFor(text: string, min: number, max: number, width = 70): number {
  const lines = text.split('\n').reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / width)), 0);
  return Math.min(max, Math.max(min, lines));
}

export interface TextFieldProps {
  path: readonly PathKey[];
  label?: string;
  multiline?: boolean;
  className?: string;
  placeholder?: string;
  /** Empty text is stored as null (a screenplay line's parenthetical). */
  nullable?: boolean;
  maxRows?: number;
}

export function TextField({ path, label, multiline, className, placeholder, nullable, maxRows = 14 }: TextFieldProps) {
  const { value, readOnly, problems, set } = useForm();
  const pointer = pointerOf(path);
  const current = valueAt(value, path);
  const text = current === undefined || current === null ? '' : String(current);
  const common = {
    'data-field': pointer,
    'aria-label': label ?? placeholder ?? pointer,
    'aria-invalid': problems[pointer] ? true : undefined,
    readOnly,
    placeholder: readOnly ? undefined : placeholder,
    value: text,
    onChange: (e: { target: { value: string } }) => set(path, nullable && e.target.value === '' ? null : e.target.value),
  };
  const control = multiline ? <textarea {...common} rows={rowsFor(text, 2, maxRows)} /> : <input {...common} />;
  return (
    <label className={`draft-field ${className ?? ''}`}>
      {label && <span className="draft-label">{label}</span>}
      {control}
      <Problem pointer={pointer} />
    </label>
  );
}

export function NumberField({ path, label, className }: { path: readonly PathKey[]; label?: string; className?: string }) {
  const { value, readOnly, problems, set } = useForm();
  const pointer = pointerOf(path);
  const current = valueAt(value, path);
  return (
    <label className={`draft-field number ${className ?? ''}`}>
      {label && <span className="draft-label">{label}</span>}
      <input
        type="number"
        data-field={pointer}
        aria-label={label ?? pointer}
        aria-invalid={problems[pointer] ? true : undefined}
        readOnly={readOnly}
        value={typeof current === 'number' ? current : ''}
        onChange={(e) => set(path, e.target.value === '' ? undefined : Number(e.target.value))}
      />
      <Problem pointer={pointer} />
    </label>
  );
}

export function BooleanField({ path, label }: { path: readonly PathKey[]; label: string }) {
  const { value, readOnly, set } = useForm();
  const pointer = pointerOf(path);
  return (
    <label className="draft-field checkbox">
      <input type="checkbox" data-field={pointer} disabled={readOnly} checked={valueAt(value, path) === true} onChange={(e) => set(path, e.target.checked)} />
      <span>{label}</span>
      <Problem pointer={pointer} />
    </label>
  );
}

/** A list of names typed as "Mara, Tomas": the text is kept as typed while the list updates underneath. */
export function NameListField({ path, label }: { path: readonly PathKey[]; label?: string }) {
  const { value, readOnly, problems, set } = useForm();
  const pointer = pointerOf(path);
  const current = valueAt(value, path);
  const names = Array.isArray(current) ? current.map(String) : [];
  const joined = names.join(', ');
  const [text, setText] = useState(joined);
  const parse = (t: string) => t.split(',').map((s) => s.trim()).filter(Boolean);
  useEffect(() => {
    if (parse(text).join(', ') !== joined) setText(joined);
    // Only an outside change (undo, raw JSON) rewrites what is being typed.
  }, [joined]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <label className="draft-field">
      {label && <span className="draft-label">{label}</span>}
      <input
        data-field={pointer}
        aria-label={label ?? pointer}
        aria-invalid={problems[pointer] ? true : undefined}
        readOnly={readOnly}
        value={text}
        placeholder={readOnly ? undefined : 'names, separated by commas'}
        onChange={(e) => {
          setText(e.target.value);
          set(path, parse(e.target.value));
        }}
      />
      <Problem pointer={pointer} />
    </label>
  );
}

export interface ListProps {
  path: readonly PathKey[];
  /** What one item is called, for the buttons ("character"). */
  noun: string;
  /** A fresh item to append, given the current list. */
  newItem?: (items: unknown[]) => unknown;
  className?: string;
  render: (path: readonly PathKey[], index: number) => ReactNode;
  /** Wraps each item (a card, a table row); gets the remove button to place. */
  item?: (content: ReactNode, remove: ReactNode, index: number) => ReactNode;
}

export function ListField({ path, noun, newItem, className, render, item }: ListProps) {
  const { value, readOnly, set } = useForm();
  const list = valueAt(value, path);
  const items = Array.isArray(list) ? list : [];
  const remove = (index: number) =>
    readOnly ? null : (
      <button type="button" className="icon danger" title={`Remove this ${noun}`} aria-label={`Remove ${noun} ${index + 1}`} onClick={() => set(path, items.filter((_, i) => i !== index))}>
        ×
      </button>
    );
  return (
    <>
      <div className={className}>
        {items.map((_, index) => {
          const content = render([...path, index], index);
          return item ? (
            <FragmentWithKey key={index}>{item(content, remove(index), index)}</FragmentWithKey>
          ) : (
            <div key={index} className="draft-item">
              {remove(index)}
              {content}
            </div>
          );
        })}
      </div>
      <Problem pointer={pointerOf(path)} />
      {!readOnly && newItem && (
        <button type="button" className="ghost small add-item" onClick={() => set(path, [...items, newItem(items)])}>
          + Add {noun}
        </button>
      )}
    </>
  );
}

function FragmentWithKey({ children }: { children: ReactNode }) {
  return <>{children}</>;
}

/** The next free number in a numbered list (beats, scenes, passages). */
export function nextNumber(items: unknown[]): number {
  return items.reduce<number>((max, item) => Math.max(max, Number((item as { number?: number })?.number) || 0), 0) + 1;
}
