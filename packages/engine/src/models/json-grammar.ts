// A GBNF grammar (llama.cpp's grammar format) that admits only JSON matching a node's output schema, so a local
// model cannot write anything else. Written here rather than taken from node-llama-cpp's JSON-schema grammar
// because story schemas rely on what that one leaves out: integer minimums (scene numbers start at 1), string
// minimum lengths, nullable fields and bounded arrays. Whatever a grammar cannot say is still checked by the
// schema afterwards. Every declared property is written, in order (optional ones too: always valid).
import { z } from 'zod';

type Json = Record<string, unknown>;

/** Digits kept for numbers: beyond this a model is rambling, and JSON numbers lose precision anyway. */
const MAX_DIGITS = 15;
/** Integer ranges up to this size are spelled out (a score of 1–10); wider ones only keep their sign. */
const SMALL_RANGE = 256;
/** Items written when an array has no maximum: enough for any story list. */
const OPEN_ARRAY_LIMIT = 64;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A GBNF string literal for `text` (JSON text of a key or a constant). */
function literal(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

function repeat(rule: string, min: number, max: number | undefined): string {
  if (max === undefined) return `${rule}{${min},}`;
  return min === max ? `${rule}{${min}}` : `${rule}{${min},${max}}`;
}

const BASE_RULES = [
  'ws ::= " "?',
  'char ::= [^"\\\\\\x00-\\x1F\\x7F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})',
  'string ::= "\\"" char* "\\""',
  `natural ::= "0" | [1-9] [0-9]{0,${MAX_DIGITS - 1}}`,
  `positive ::= [1-9] [0-9]{0,${MAX_DIGITS - 1}}`,
  'fraction ::= ("." [0-9]{1,6})?',
  'boolean ::= "true" | "false"',
  'null ::= "null"',
  'value ::= object-any | array-any | string | "-"? natural fraction | boolean | null',
  'object-any ::= "{" ws ( string ws ":" ws value ( "," ws string ws ":" ws value ){0,31} )? ws "}"',
  'array-any ::= "[" ws ( value ( "," ws value ){0,31} )? ws "]"',
];

class GrammarBuilder {
  private readonly rules = new Map<string, string>();
  private readonly named = new Map<string, string>();
  private counter = 0;

  constructor(private readonly defs: Json) {}

  private add(body: string, hint: string): string {
    const existing = this.named.get(body);
    if (existing) return existing;
    const name = `${hint}-${++this.counter}`;
    this.named.set(body, name);
    this.rules.set(name, body);
    return name;
  }

  private integer(schema: Json): string {
    const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : undefined;
    const maximum = typeof schema.maximum === 'number' ? schema.maximum : undefined;
    if (minimum !== undefined && maximum !== undefined && minimum <= maximum && maximum - minimum <= SMALL_RANGE) {
      return this.add(Array.from({ length: maximum - minimum + 1 }, (_, i) => literal(String(minimum + i))).join(' | '), 'range');
    }
    if (minimum !== undefined && minimum >= 1) return 'positive';
    if (minimum !== undefined && minimum >= 0) return 'natural';
    return '"-"? natural';
  }

  private number(schema: Json): string {
    const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
    return minimum !== undefined && minimum >= 0 ? 'natural fraction' : '"-"? natural fraction';
  }

  private string(schema: Json): string {
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
    if (min === 0 && max === undefined) return 'string';
    return this.add(`"\\"" ${repeat('char', min, max)} "\\""`, 'string');
  }

  private object(schema: Json): string {
    const properties = isRecord(schema.properties) ? Object.entries(schema.properties) : [];
    if (properties.length === 0) {
      if (schema.additionalProperties === false) return '"{" ws "}"';
      const value = isRecord(schema.additionalProperties) ? this.rule(schema.additionalProperties) : 'value';
      return this.add(`"{" ws ( string ws ":" ws ${value} ( "," ws string ws ":" ws ${value} ){0,31} )? ws "}"`, 'record');
    }
    const members = properties.map(([key, value]) => `${literal(JSON.stringify(key))} ws ":" ws ${this.rule(value)}`);
    return this.add(`"{" ws ${members.join(' "," ws ')} ws "}"`, 'object');
  }

  private array(schema: Json): string {
    const item = schema.items === undefined ? 'value' : this.rule(schema.items);
    const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
    const max = typeof schema.maxItems === 'number' ? Math.min(schema.maxItems, Math.max(min, OPEN_ARRAY_LIMIT)) : Math.max(min, OPEN_ARRAY_LIMIT);
    if (max === 0) return '"[" ws "]"';
    const rest = `( "," ws ${item} ){${Math.max(0, min - 1)},${max - 1}}`;
    const items = `${item} ${rest}`;
    return this.add(min === 0 ? `"[" ws ( ${items} )? ws "]"` : `"[" ws ${items} ws "]"`, 'array');
  }

  private typed(type: string, schema: Json): string {
    switch (type) {
      case 'string':
        return this.string(schema);
      case 'integer':
        return this.integer(schema);
      case 'number':
        return this.number(schema);
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'object':
        return this.object(schema);
      case 'array':
        return this.array(schema);
      default:
        return 'value';
    }
  }

  /** The rule (or inline expression) for a schema. */
  rule(schema: unknown): string {
    if (!isRecord(schema)) return 'value';
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace(/^#\/(\$defs|definitions)\//, '');
      const ruleName = `def-${name.replace(/[^a-zA-Z0-9]/g, '-')}`;
      if (!this.rules.has(ruleName)) {
        this.rules.set(ruleName, 'value'); // placeholder: definitions may refer to themselves
        this.rules.set(ruleName, this.rule(this.defs[name]));
      }
      return ruleName;
    }
    if ('const' in schema) return literal(JSON.stringify(schema.const));
    if (Array.isArray(schema.enum)) return this.add(schema.enum.map((option) => literal(JSON.stringify(option))).join(' | '), 'enum');
    const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
    if (Array.isArray(union)) return this.add(union.map((option) => `( ${this.rule(option)} )`).join(' | '), 'union');
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return this.rule(schema.allOf[0]);
    if (Array.isArray(schema.type)) return this.add(schema.type.map((type) => `( ${this.typed(String(type), schema)} )`).join(' | '), 'types');
    if (typeof schema.type === 'string') return this.typed(schema.type, schema);
    return 'value';
  }

  grammar(root: string): string {
    return [`root ::= ${root}`, ...[...this.rules].map(([name, body]) => `${name} ::= ${body}`), ...BASE_RULES].join('\n');
  }
}

/** The GBNF grammar for JSON matching `schema` (a JSON Schema object). */
export function jsonGrammar(schema: Json): string {
  const builder = new GrammarBuilder(isRecord(schema.$defs) ? schema.$defs : isRecord(schema.definitions) ? schema.definitions : {});
  const root = builder.rule(schema);
  return builder.grammar(root);
}

/** The JSON Schema of a zod schema, as the grammar reads it. */
export function outputJsonSchema(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }) as Json;
}
