// A node's output schema (JSON Schema from zod) narrowed to the subset node-llama-cpp turns into a grammar:
// types, objects, arrays, enums, unions, lengths and $defs. Keywords a grammar cannot enforce (patterns, number
// ranges) are dropped: the answer is still validated against the full schema afterwards.
import { z } from 'zod';

type Json = Record<string, unknown>;

const KEPT_STRING_FORMATS = new Set(['date-time', 'time', 'date']);

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function narrow(schema: unknown): Json {
  if (schema === true || !isRecord(schema)) return {}; // "anything": a JSON value
  if (schema.$ref !== undefined) return { $ref: schema.$ref };
  if ('const' in schema) return { const: schema.const };
  if (Array.isArray(schema.enum)) return { enum: schema.enum };
  const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return { oneOf: union.map(narrow) };
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return narrow(schema.allOf[0]);
  const type = schema.type;
  const out: Json = {};
  if (type !== undefined) out.type = type;
  if (type === 'string') {
    if (typeof schema.format === 'string' && KEPT_STRING_FORMATS.has(schema.format)) out.format = schema.format;
    else {
      if (typeof schema.minLength === 'number') out.minLength = schema.minLength;
      if (typeof schema.maxLength === 'number') out.maxLength = schema.maxLength;
    }
  } else if (type === 'object') {
    if (isRecord(schema.properties)) {
      out.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, narrow(value)]));
    }
    if (Array.isArray(schema.required)) out.required = schema.required;
    if (schema.additionalProperties === false || schema.additionalProperties === true) out.additionalProperties = schema.additionalProperties;
    else if (isRecord(schema.additionalProperties)) out.additionalProperties = narrow(schema.additionalProperties);
    else if (schema.additionalProperties === undefined && out.properties) out.additionalProperties = false;
  } else if (type === 'array') {
    if (schema.items !== undefined) out.items = narrow(schema.items);
    if (Array.isArray(schema.prefixItems)) out.prefixItems = schema.prefixItems.map(narrow);
    if (typeof schema.minItems === 'number') out.minItems = schema.minItems;
    if (typeof schema.maxItems === 'number') out.maxItems = schema.maxItems;
  }
  if (type === undefined && Object.keys(out).length === 0) return {};
  return out;
}

/** The grammar-ready subset of a JSON schema, with its `$defs` kept at the root for references. */
export function narrowJsonSchema(full: Json): Json {
  const root = narrow(full);
  if (isRecord(full.$defs)) {
    root.$defs = Object.fromEntries(Object.entries(full.$defs).map(([key, value]) => [key, narrow(value)]));
  }
  return root;
}

/** The grammar-ready JSON schema of a zod schema. */
export function grammarJsonSchema(schema: z.ZodType): Json {
  return narrowJsonSchema(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }) as Json);
}
