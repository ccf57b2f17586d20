// The offline answer to a user's JSON-output prompt: a value built by walking the JSON Schema, with
// strings that say what they are. Deterministic for the same schema, prompt and seed.
import type { SeededRandom } from './random';

type Schema = Record<string, unknown>;

const PHRASES = ['a quiet turning point', 'the thing nobody says aloud', 'an old promise', 'a door left open', 'the cost of staying'];

export function sampleJsonSchema(schema: unknown, random: SeededRandom, hint = 'value', depth = 0): unknown {
  if (schema === true || schema === undefined || schema === null || typeof schema !== 'object') return hintText(hint, random);
  const s = schema as Schema;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return random.pick(s.enum);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      const usable = options.find((option) => (option as Schema)?.type !== 'null') ?? options[0];
      return sampleJsonSchema(usable, random, hint, depth + 1);
    }
  }
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? s.type[0]) : s.type;
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const result: Record<string, unknown> = {};
      if (depth > 8) return result;
      for (const [key, property] of Object.entries(properties)) result[key] = sampleJsonSchema(property, random, key, depth + 1);
      return result;
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, 3);
      const count = depth > 8 ? min : random.int(min, Math.max(min, Math.min(max, min + 2)));
      return Array.from({ length: count }, (_, i) => sampleJsonSchema(s.items, random, `${singular(hint)} ${i + 1}`, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1;
      const max = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : Math.max(min, 10);
      return random.int(Math.ceil(min), Math.max(Math.ceil(min), Math.floor(max)));
    }
    case 'boolean':
      return random.next() < 0.5;
    case 'null':
      return null;
    default: {
      const text = hintText(hint, random);
      const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
      const maxLength = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
      return text.padEnd(minLength, '.').slice(0, maxLength);
    }
  }
}

function singular(word: string): string {
  return word.endsWith('s') ? word.slice(0, -1) : word;
}

function hintText(hint: string, random: SeededRandom): string {
  return `${hint.replace(/[_-]+/g, ' ')}: ${random.pick(PHRASES)}`;
}
