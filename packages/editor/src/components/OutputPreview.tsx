// Readable view of a node output: text as text, lists of records as compact cards, the rest as JSON.
import { outputText } from '../lib/diff';

export function OutputPreview({ value, maxHeight = 260 }: { value: unknown; maxHeight?: number }) {
  if (value === undefined) return <p className="muted small">No output.</p>;
  return (
    <pre className="output-preview mono" style={{ maxHeight }}>
      {outputText(value)}
    </pre>
  );
}
