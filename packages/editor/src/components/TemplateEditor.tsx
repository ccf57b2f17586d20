// Prompt-template editor: suggests the slots written upstream (`{{slot}}`) and the pipeline's inputs
// (`{{inputs.x}}`); typing `{{` opens the suggestions, clicking one inserts it at the caret.
import { useRef, useState } from 'react';

export interface TemplateEditorProps {
  value: string;
  onChange: (value: string) => void;
  slots: Array<{ slot: string; from: string }>;
  inputs: string[];
  testId?: string;
}

export function TemplateEditor({ value, onChange, slots, inputs, testId }: TemplateEditorProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<string | null>(null);
  const suggestions = [
    ...slots.map((s) => ({ token: s.slot, note: `from ${s.from}` })),
    ...inputs.map((name) => ({ token: `inputs.${name}`, note: 'run input' })),
  ];
  const filtered = query === null ? [] : suggestions.filter((s) => s.token.toLowerCase().startsWith(query.toLowerCase()));

  const openQueryAt = (text: string, caret: number) => {
    const match = /\{\{\s*([\w.]*)$/.exec(text.slice(0, caret));
    setQuery(match ? match[1] : null);
  };

  const insert = (token: string) => {
    const element = area.current;
    const caret = element?.selectionStart ?? value.length;
    const before = value.slice(0, caret);
    const open = /\{\{\s*[\w.]*$/.exec(before);
    const start = open ? caret - open[0].length : caret;
    const next = `${value.slice(0, start)}{{${token}}}${value.slice(caret)}`;
    onChange(next);
    setQuery(null);
    requestAnimationFrame(() => {
      element?.focus();
      const at = start + token.length + 4;
      element?.setSelectionRange(at, at);
    });
  };

  return (
    <div className="template-editor">
      <textarea
        ref={area}
        className="mono"
        rows={8}
        value={value}
        data-testid={testId}
        spellCheck={false}
        placeholder="Write the prompt. Reference story memory as {{slot}} and inputs as {{inputs.name}}."
        onChange={(e) => {
          onChange(e.target.value);
          openQueryAt(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={(e) => {
          if (query !== null && filtered.length && (e.key === 'Enter' || e.key === 'Tab')) {
            e.preventDefault();
            insert(filtered[0].token);
          }
          if (e.key === 'Escape') setQuery(null);
        }}
        onBlur={() => setTimeout(() => setQuery(null), 150)}
      />
      {query !== null && filtered.length > 0 && (
        <ul className="template-suggest" role="listbox">
          {filtered.map((s) => (
            <li key={s.token}>
              <button type="button" onMouseDown={(e) => e.preventDefault()} onClick={() => insert(s.token)}>
                <code>{`{{${s.token}}}`}</code> <span className="muted">{s.note}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="chips" aria-label="Available references">
        {suggestions.length === 0 && <span className="muted">Connect upstream nodes to reference their slots.</span>}
        {suggestions.map((s) => (
          <button type="button" key={s.token} className="chip" title={s.note} onClick={() => insert(s.token)}>
            {`{{${s.token}}}`}
          </button>
        ))}
      </div>
    </div>
  );
}
