// A grammar for a model's answer, held as data: the same rules print as GBNF for llama.cpp and drive Storyloom's
// own matcher for transformers.js, so both backends are held to exactly the same language. The length bounds
// (in UTF-8 bytes) let a grammar be fitted to a token budget: a token is at least one byte, so an answer the
// grammar caps at N bytes always finishes within N tokens.

export type Expr =
  | { kind: 'text'; text: string }
  /** One code point in (or, negated, outside) the inclusive ranges. */
  | { kind: 'chars'; ranges: ReadonlyArray<readonly [number, number]>; negated: boolean }
  | { kind: 'ref'; name: string }
  | { kind: 'seq'; items: Expr[] }
  | { kind: 'alt'; options: Expr[] }
  /** `max` may be Infinity. */
  | { kind: 'repeat'; item: Expr; min: number; max: number };

export interface Grammar {
  root: string;
  rules: ReadonlyMap<string, Expr>;
}

export const text = (value: string): Expr => ({ kind: 'text', text: value });
export const ref = (name: string): Expr => ({ kind: 'ref', name });
export const seq = (...items: Expr[]): Expr => (items.length === 1 ? items[0]! : { kind: 'seq', items });
export const alt = (...options: Expr[]): Expr => (options.length === 1 ? options[0]! : { kind: 'alt', options });
export const repeat = (item: Expr, min: number, max: number): Expr => ({ kind: 'repeat', item, min, max });
export const optional = (item: Expr): Expr => repeat(item, 0, 1);

/** A character class of single characters, `a-z` style ranges and code point ranges. */
export function chars(ranges: Array<string | readonly [number, number]>, negated = false): Expr {
  const parsed = ranges.map((range): readonly [number, number] => {
    if (typeof range !== 'string') return range;
    const [low, high] = [...range].length === 3 ? [...range].filter((_, i) => i !== 1) : [range, range];
    return [low!.codePointAt(0)!, high!.codePointAt(0)!];
  });
  return { kind: 'chars', ranges: parsed, negated };
}

export function inClass(expr: Extract<Expr, { kind: 'chars' }>, codePoint: number): boolean {
  const inside = expr.ranges.some(([low, high]) => codePoint >= low && codePoint <= high);
  return inside !== expr.negated;
}

// --- GBNF ------------------------------------------------------------------------------------------------------

// llama.cpp's grammar parser knows the escapes \\ \" \[ \] \n \r \t and \xHH: anything else special to a
// class (- and ^) is written in hex.
function escapeChar(codePoint: number, inClass: boolean): string {
  const char = String.fromCodePoint(codePoint);
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  if (char === '\\' || (inClass ? char === ']' || char === '[' : char === '"')) return `\\${char}`;
  if (codePoint < 0x20 || codePoint === 0x7f || (inClass && (char === '-' || char === '^'))) {
    return `\\x${codePoint.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return char;
}

function printClass(expr: Extract<Expr, { kind: 'chars' }>): string {
  const body = expr.ranges.map(([low, high]) => (low === high ? escapeChar(low, true) : `${escapeChar(low, true)}-${escapeChar(high, true)}`)).join('');
  return `[${expr.negated ? '^' : ''}${body}]`;
}

function printQuantifier(min: number, max: number): string {
  if (min === 0 && max === 1) return '?';
  if (min === 0 && max === Infinity) return '*';
  if (min === 1 && max === Infinity) return '+';
  if (max === Infinity) return `{${min},}`;
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

export function printExpr(expr: Expr, nested = false): string {
  switch (expr.kind) {
    case 'text':
      return `"${[...expr.text].map((char) => escapeChar(char.codePointAt(0)!, false)).join('')}"`;
    case 'chars':
      return printClass(expr);
    case 'ref':
      return expr.name;
    case 'seq': {
      const body = expr.items.map((item) => printExpr(item, true)).join(' ');
      return nested ? `( ${body} )` : body;
    }
    case 'alt': {
      const body = expr.options.map((option) => printExpr(option, true)).join(' | ');
      return nested ? `( ${body} )` : body;
    }
    case 'repeat': {
      const item = expr.item.kind === 'seq' || expr.item.kind === 'alt' ? printExpr(expr.item, true) : printExpr(expr.item);
      return `${item}${printQuantifier(expr.min, expr.max)}`;
    }
  }
}

/** The grammar as GBNF text, llama.cpp's grammar format. */
export function toGbnf(grammar: Grammar): string {
  const lines = [`root ::= ${grammar.root}`];
  for (const [name, body] of grammar.rules) lines.push(`${name} ::= ${printExpr(body)}`);
  return lines.join('\n');
}

// --- length bounds --------------------------------------------------------------------------------------------

export interface Bounds {
  /** Fewest UTF-8 bytes a match can take. */
  min: number;
  /** Most UTF-8 bytes a match can take (Infinity when unbounded). */
  max: number;
}

function utf8Width(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** The byte bounds of every match of `expr` under the grammar's rules. */
export function boundsOf(grammar: Grammar, expr: Expr = ref(grammar.root)): Bounds {
  const memo = new Map<string, Bounds>();
  const visit = (node: Expr): Bounds => {
    switch (node.kind) {
      case 'text':
        return { min: Buffer.byteLength(node.text), max: Buffer.byteLength(node.text) };
      case 'chars':
        return { min: 1, max: node.negated ? 4 : Math.max(...node.ranges.map(([, high]) => utf8Width(high))) };
      case 'ref': {
        const known = memo.get(node.name);
        if (known) return known;
        memo.set(node.name, { min: 0, max: Infinity }); // a rule reached again inside itself: unbounded
        const body = grammar.rules.get(node.name);
        const bounds = body ? visit(body) : { min: 0, max: Infinity };
        memo.set(node.name, bounds);
        return bounds;
      }
      case 'seq':
        return node.items.map(visit).reduce((sum, b) => ({ min: sum.min + b.min, max: sum.max + b.max }), { min: 0, max: 0 });
      case 'alt': {
        const all = node.options.map(visit);
        return { min: Math.min(...all.map((b) => b.min)), max: Math.max(...all.map((b) => b.max)) };
      }
      case 'repeat': {
        const item = visit(node.item);
        return { min: node.min * item.min, max: node.max === 0 ? 0 : node.max === Infinity ? (item.max === 0 ? 0 : Infinity) : node.max * item.max };
      }
    }
  };
  return visit(expr);
}
