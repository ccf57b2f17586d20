// zod issues as validation problems a producer can act on: a JSON pointer, and a message naming the place.
import type { z } from 'zod';
import type { ValidationProblem } from '../errors';
import { toPointer } from './pointer';
import { didYouMean } from './suggest';

/** Classifies an issue into a validation code; the default is `schema`. */
export type IssueCode = (issue: z.core.$ZodIssue) => string;

export interface IssueContext {
  /** Path of the parsed value inside the document, e.g. `['nodes', 2, 'config']`. */
  base?: readonly PropertyKey[];
  /** The value that was parsed, to tell a missing field from a mistyped one. */
  input?: unknown;
  /** The schema that was parsed, to suggest the nearest key for an unknown one. */
  schema?: z.ZodType;
  /** Prefix naming the place for people, given the issue's path relative to the parsed value. */
  where: (path: readonly PropertyKey[]) => string;
  code?: IssueCode;
}

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], context: IssueContext): ValidationProblem[] {
  const base = context.base ?? [];
  return issues.flatMap((issue) => {
    const code = context.code?.(issue) ?? 'schema';
    // A value that fits no branch of a union (`true` or an object): report what is wrong inside the one branch
    // of the value's own kind, not a bare "Invalid input".
    const branch = issue.code === 'invalid_union' ? branchOfSameKind(issue) : undefined;
    if (branch) return problemsFromIssues(branch, { ...context, base });
    if (issue.code === 'unrecognized_keys') {
      const known = context.schema ? objectKeysAt(context.schema, issue.path) : [];
      return issue.keys.map((key) => ({
        path: toPointer([...base, ...issue.path, key]),
        code,
        message: `${context.where(issue.path)}: unknown key '${key}'${didYouMean(key, known)}${known.length ? `; allowed: ${known.join(', ')}` : ''}`,
      }));
    }
    return [{ path: toPointer([...base, ...issue.path]), code, message: `${context.where(issue.path)}: ${issueMessage(issue, context.input)}` }];
  });
}

/** The issues of the one union branch whose failure is not about the value's type, paths made relative to the union's parsed value. */
function branchOfSameKind(issue: z.core.$ZodIssue): z.core.$ZodIssue[] | undefined {
  const branches = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
  const fitting = branches.filter((errors) => errors.length > 0 && !errors.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
  if (fitting.length !== 1) return undefined;
  return fitting[0].map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return `is required (${issue.expected})`;
  // A record key that fails its pattern: zod nests the reason.
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return `invalid name: ${issue.issues.map((inner) => inner.message).join('; ')}`;
  return issue.message.replace(/^Invalid input: /, '').replace(/\bexpected record\b/, 'expected an object');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Keys of the object schema found at `path` inside `schema` (unwrapping optionals, arrays, records, unions). */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    current = childSchema(unwrap(current), segment);
    if (current === undefined) return [];
  }
  const def = defOf(unwrap(current));
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
}

type Def = { type: string; [key: string]: unknown };

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let depth = 0; depth < 20; depth++) {
    const def = defOf(current);
    if (!def) return current;
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else if (def.type === 'lazy') current = (def.getter as () => unknown)();
    else if (def.type === 'union') {
      const object = (def.options as unknown[]).find((option) => defOf(unwrap(option))?.type === 'object');
      if (object === undefined) return current;
      current = object;
    } else return current;
  }
  return current;
}

function childSchema(schema: unknown, segment: PropertyKey): unknown {
  const def = defOf(schema);
  if (!def) return undefined;
  if (def.type === 'object') return (def.shape as Record<string, unknown>)[String(segment)];
  if (def.type === 'array') return def.element;
  if (def.type === 'record') return def.valueType;
  return undefined;
}
