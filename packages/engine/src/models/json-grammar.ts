// The grammar that admits only JSON matching a node's output schema, so an in-process model cannot write anything
// else: llama.cpp gets it as GBNF, transformers.js through Storyloom's own matcher. Written here rather than taken
// from node-llama-cpp's JSON-schema grammar because story schemas rely on what that one leaves out: integer
// minimums (scene numbers start at 1), string lengths, enums, nullable fields and bounded arrays. Whatever a
// grammar cannot say is still checked by the schema afterwards. Every declared property is written, in order
// (optional ones too: always valid).
//
// A grammar can also be fitted to a token budget: strings and open lists are capped so that the longest answer
// it admits fits, so a model that rambles inside a string (a small or random one) still closes its JSON in time.
import { z } from 'zod';
import { StoryloomError } from '../errors';
import { type Expr, type Grammar, alt, boundsOf, chars, optional, ref, repeat, seq, text, toGbnf } from './grammar';

type Json = Record<string, unknown>;

/** Digits kept for numbers: beyond this a model is rambling, and JSON numbers lose precision anyway. */
const MAX_DIGITS = 15;
/** Integer ranges up to this size are spelled out (a score of 1–10); wider ones only keep their sign. */
const SMALL_RANGE = 256;
/** Items written when an array has no maximum: enough for any story list. */
const OPEN_ARRAY_LIMIT = 64;
/** Members of an object whose keys the schema leaves open. */
const OPEN_OBJECT_LIMIT = 32;

/** Caps of a grammar fitted to a budget: most characters per string, most items per list beyond its minimum. */
interface Caps {
  string: number;
  items: number;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const digit = chars(['0-9']);
const ws = optional(text(' '));
/** Any JSON string character, escapes included. */
const anyChar = alt(
  chars([[0x22, 0x22], [0x5c, 0x5c], [0x00, 0x1f], [0x7f, 0x7f]], true),
  seq(text('\\'), alt(chars(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']), seq(text('u'), repeat(chars(['0-9', 'a-f', 'A-F']), 4, 4)))),
);
/** One byte each: printable ASCII but the quote and the backslash. Used where the length must be bounded. */
const plainChar = chars([' -!', '#-[', ']-~']);

const BASE_RULES: ReadonlyArray<[string, Expr]> = [
  ['ws', ws],
  ['char', anyChar],
  ['string', seq(text('"'), repeat(ref('char'), 0, Infinity), text('"'))],
  ['natural', alt(text('0'), seq(chars(['1-9']), repeat(digit, 0, MAX_DIGITS - 1)))],
  ['positive', seq(chars(['1-9']), repeat(digit, 0, MAX_DIGITS - 1))],
  ['fraction', optional(seq(text('.'), repeat(digit, 1, 6)))],
  ['boolean', alt(text('true'), text('false'))],
  ['null', text('null')],
];

const member = (key: Expr, value: Expr): Expr => seq(key, ref('ws'), text(':'), ref('ws'), value);
const signed = (number: Expr): Expr => seq(optional(text('-')), number);

class GrammarBuilder {
  private readonly rules = new Map<string, Expr>();
  private readonly named = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly defs: Json,
    private readonly caps?: Caps,
  ) {}

  private add(body: Expr, hint: string): Expr {
    const key = JSON.stringify(body);
    const existing = this.named.get(key);
    if (existing) return ref(existing);
    const name = `${hint}-${++this.counter}`;
    this.named.set(key, name);
    this.rules.set(name, body);
    return ref(name);
  }

  /** `open` `{min,max}` items separated by commas `close`. */
  private list(open: string, item: Expr, min: number, max: number, close: string): Expr {
    if (max === 0) return seq(text(open), ref('ws'), text(close));
    const items = seq(item, repeat(seq(text(','), ref('ws'), item), Math.max(0, min - 1), max - 1));
    return seq(text(open), ref('ws'), min === 0 ? optional(items) : items, ref('ws'), text(close));
  }

  private itemLimit(min: number, max: number | undefined, open: number): number {
    const limit = Math.min(max ?? open, Math.max(min, open));
    return this.caps ? Math.max(min, Math.min(limit, min + this.caps.items)) : limit;
  }

  /** Any JSON value; fitted to a budget, a scalar (nesting would be unbounded). */
  private anyValue(): Expr {
    if (this.caps) return this.add(alt(this.string({}), signed(seq(ref('natural'), ref('fraction'))), ref('boolean'), ref('null')), 'scalar');
    if (!this.rules.has('value')) {
      this.rules.set('value', alt(ref('object-any'), ref('array-any'), ref('string'), signed(seq(ref('natural'), ref('fraction'))), ref('boolean'), ref('null')));
      this.rules.set('object-any', this.list('{', member(ref('string'), ref('value')), 0, OPEN_OBJECT_LIMIT, '}'));
      this.rules.set('array-any', this.list('[', ref('value'), 0, OPEN_OBJECT_LIMIT, ']'));
    }
    return ref('value');
  }

  private integer(schema: Json): Expr {
    const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : undefined;
    const maximum = typeof schema.maximum === 'number' ? schema.maximum : undefined;
    if (minimum !== undefined && maximum !== undefined && minimum <= maximum && maximum - minimum <= SMALL_RANGE) {
      return this.add(alt(...Array.from({ length: maximum - minimum + 1 }, (_, i) => text(String(minimum + i)))), 'range');
    }
    if (minimum !== undefined && minimum >= 1) return ref('positive');
    if (minimum !== undefined && minimum >= 0) return ref('natural');
    return signed(ref('natural'));
  }

  private number(schema: Json): Expr {
    const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
    const unsigned = seq(ref('natural'), ref('fraction'));
    return minimum !== undefined && minimum >= 0 ? unsigned : signed(unsigned);
  }

  private string(schema: Json): Expr {
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const declared = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
    if (!this.caps) {
      if (min === 0 && declared === undefined) return ref('string');
      return this.add(seq(text('"'), repeat(ref('char'), min, declared ?? Infinity), text('"')), 'string');
    }
    const max = Math.max(min, Math.min(declared ?? Infinity, this.caps.string));
    return this.add(seq(text('"'), repeat(plainChar, min, max), text('"')), 'string');
  }

  private object(schema: Json): Expr {
    const properties = isRecord(schema.properties) ? Object.entries(schema.properties) : [];
    if (properties.length === 0) {
      if (schema.additionalProperties === false) return seq(text('{'), ref('ws'), text('}'));
      const value = isRecord(schema.additionalProperties) ? this.rule(schema.additionalProperties) : this.anyValue();
      return this.add(this.list('{', member(this.string({}), value), 0, this.itemLimit(0, undefined, OPEN_OBJECT_LIMIT), '}'), 'record');
    }
    const members = properties.map(([key, value], index) => seq(...(index > 0 ? [text(','), ref('ws')] : []), member(text(JSON.stringify(key)), this.rule(value))));
    return this.add(seq(text('{'), ref('ws'), ...members, ref('ws'), text('}')), 'object');
  }

  private array(schema: Json): Expr {
    const item = schema.items === undefined ? this.anyValue() : this.rule(schema.items);
    const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
    const max = this.itemLimit(min, typeof schema.maxItems === 'number' ? schema.maxItems : undefined, OPEN_ARRAY_LIMIT);
    return this.add(this.list('[', item, min, max, ']'), 'array');
  }

  private typed(type: string, schema: Json): Expr {
    switch (type) {
      case 'string':
        return this.string(schema);
      case 'integer':
        return this.integer(schema);
      case 'number':
        return this.number(schema);
      case 'boolean':
        return ref('boolean');
      case 'null':
        return ref('null');
      case 'object':
        return this.object(schema);
      case 'array':
        return this.array(schema);
      default:
        return this.anyValue();
    }
  }

  /** The rule (or inline expression) for a schema. */
  rule(schema: unknown): Expr {
    if (!isRecord(schema)) return this.anyValue();
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace(/^#\/(\$defs|definitions)\//, '');
      const ruleName = `def-${name.replace(/[^a-zA-Z0-9]/g, '-')}`;
      if (!this.rules.has(ruleName)) {
        this.rules.set(ruleName, text('')); // placeholder: definitions may refer to themselves
        this.rules.set(ruleName, this.rule(this.defs[name]));
      }
      return ref(ruleName);
    }
    if ('const' in schema) return text(JSON.stringify(schema.const));
    if (Array.isArray(schema.enum)) return this.add(alt(...schema.enum.map((option) => text(JSON.stringify(option)))), 'enum');
    const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
    if (Array.isArray(union)) return this.add(alt(...union.map((option) => this.rule(option))), 'union');
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return this.rule(schema.allOf[0]);
    if (Array.isArray(schema.type)) return this.add(alt(...schema.type.map((type) => this.typed(String(type), schema))), 'types');
    if (typeof schema.type === 'string') return this.typed(schema.type, schema);
    return this.anyValue();
  }

  grammar(root: Expr): Grammar {
    const rules = new Map<string, Expr>([['root', root], ...this.rules, ...BASE_RULES]);
    return { root: 'root', rules };
  }
}

function build(schema: Json, caps?: Caps): Grammar {
  const builder = new GrammarBuilder(isRecord(schema.$defs) ? schema.$defs : isRecord(schema.definitions) ? schema.definitions : {}, caps);
  return builder.grammar(builder.rule(schema));
}

/** The grammar of JSON matching `schema` (a JSON Schema object), open-ended where the schema is. */
export function jsonGrammarOf(schema: Json): Grammar {
  return build(schema);
}

/** Below this many characters per string a fitted grammar gives up list items first. */
const USEFUL_STRING = 32;
const LONGEST_STRING = 4096;
const ITEM_CAPS = [OPEN_ARRAY_LIMIT, 16, 8, 4, 2, 1, 0];

/** The longest string cap (binary search) whose grammar fits in `maxBytes`, with its grammar; undefined if none. */
function longestFitting(schema: Json, items: number, maxBytes: number): { cap: number; grammar: Grammar } | undefined {
  const fits = (cap: number) => {
    const grammar = build(schema, { string: cap, items });
    return boundsOf(grammar).max <= maxBytes ? grammar : undefined;
  };
  let best = fits(0) ? { cap: 0, grammar: fits(0)! } : undefined;
  if (!best) return undefined;
  let [low, high] = [1, LONGEST_STRING];
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const grammar = fits(middle);
    if (grammar) {
      best = { cap: middle, grammar };
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

export type FittedGrammar = { ok: true; grammar: Grammar } | { ok: false; needs: number };

/**
 * JSON matching `schema` in at most `maxBytes` bytes (so at most that many tokens): lists keep as many items
 * beyond their minimum as leave strings a useful length, then strings take the rest. When even the tightest
 * grammar does not fit, `needs` is the budget it would take (Infinity for a schema that nests without end).
 */
export function fittedJsonGrammar(schema: Json, maxBytes: number): FittedGrammar {
  for (const items of ITEM_CAPS) {
    const fitting = longestFitting(schema, items, maxBytes);
    if (fitting && (fitting.cap >= USEFUL_STRING || items === 0)) return { ok: true, grammar: fitting.grammar };
  }
  return { ok: false, needs: boundsOf(build(schema, { string: 0, items: 0 })).max };
}

/**
 * The grammar an in-process model's JSON answer is held to: open-ended, or (`fitTo` tokens) fitted so the answer
 * always ends within them. `where` names the model in the error when the budget cannot hold any answer.
 */
export function answerGrammar(schema: Json, fitTo: number | undefined, where: string): Grammar {
  if (fitTo === undefined) return jsonGrammarOf(schema);
  const fitted = fittedJsonGrammar(schema, fitTo);
  if (fitted.ok) return fitted.grammar;
  throw new StoryloomError(
    'model_error',
    `${where} ran out of its ${fitTo} answer tokens before its JSON was complete, and a JSON answer of this shape needs up to ` +
      `${fitted.needs} to be sure to finish: raise maxTokens (or contextSize) in the model spec`,
  );
}

/** The GBNF grammar (llama.cpp's format) for JSON matching `schema`. */
export function jsonGrammar(schema: Json): string {
  return toGbnf(jsonGrammarOf(schema));
}

/** The JSON Schema of a zod schema, as the grammar reads it. */
export function outputJsonSchema(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }) as Json;
}
