// Line diff by longest common subsequence, laid out side by side (deletions left, additions right).

export type DiffOp = { kind: 'same' | 'del' | 'add'; text: string };
export interface DiffRow {
  left?: { text: string; changed: boolean; line: number };
  right?: { text: string; changed: boolean; line: number };
}

export function diffLines(before: string, after: string): DiffOp[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Trim the common head and tail first: outputs that differ in one scene stay cheap.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const left = a.slice(head, a.length - tail);
  const right = b.slice(head, b.length - tail);
  const n = left.length;
  const m = right.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      table[i * (m + 1) + j] =
        left[i] === right[j] ? table[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1]);
  const ops: DiffOp[] = a.slice(0, head).map((text) => ({ kind: 'same', text }));
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (left[i] === right[j]) {
      ops.push({ kind: 'same', text: left[i] });
      i++;
      j++;
    } else if (table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1]) ops.push({ kind: 'del', text: left[i++] });
    else ops.push({ kind: 'add', text: right[j++] });
  }
  while (i < n) ops.push({ kind: 'del', text: left[i++] });
  while (j < m) ops.push({ kind: 'add', text: right[j++] });
  for (const text of a.slice(a.length - tail)) ops.push({ kind: 'same', text });
  return ops;
}

export function sideBySide(ops: DiffOp[]): DiffRow[] {
  const rows: DiffRow[] = [];
  let leftLine = 0;
  let rightLine = 0;
  for (let k = 0; k < ops.length; ) {
    if (ops[k].kind === 'same') {
      rows.push({ left: { text: ops[k].text, changed: false, line: ++leftLine }, right: { text: ops[k].text, changed: false, line: ++rightLine } });
      k++;
      continue;
    }
    // Pair a block of deletions with the block of additions that follows it.
    const dels: string[] = [];
    const adds: string[] = [];
    while (k < ops.length && ops[k].kind !== 'same') (ops[k].kind === 'del' ? dels : adds).push(ops[k++].text);
    for (let r = 0; r < Math.max(dels.length, adds.length); r++)
      rows.push({
        left: r < dels.length ? { text: dels[r], changed: true, line: ++leftLine } : undefined,
        right: r < adds.length ? { text: adds[r], changed: true, line: ++rightLine } : undefined,
      });
  }
  return rows;
}

/** Outputs as comparable text: strings as they are, anything else as indented JSON. */
export function outputText(output: unknown): string {
  if (output === undefined) return '';
  return typeof output === 'string' ? output : JSON.stringify(output, null, 2);
}
