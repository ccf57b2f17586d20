// Run inputs: the values a person gives a run, checked against the pipeline's `inputs` declarations.
import type { ValidationProblem } from '../errors';
import { escapePointer } from './pointer';
import type { InputDefinition, Pipeline, RunInputs } from './schema';

type InputValue = RunInputs[string];
type InputType = InputDefinition['type'];

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0']);

/**
 * Turns a provided value into the declared type. Strings from the CLI (`--input scenes=6`) are coerced;
 * anything that does not read as the type is undefined.
 */
export function coerceInput(type: InputType, value: unknown): InputValue | undefined {
  switch (type) {
    case 'string':
    case 'text':
      return typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'boolean' ? String(value) : undefined;
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
      if (typeof value !== 'string' || value.trim() === '') return undefined;
      const parsed = Number(value.trim());
      return Number.isFinite(parsed) ? parsed : undefined;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
      if (word !== undefined && TRUE_WORDS.has(word)) return true;
      if (word !== undefined && FALSE_WORDS.has(word)) return false;
      return undefined;
    }
  }
}

/** A default must already have the declared type (no coercion in files): `"default": "6"` on a number is a mistake. */
export function defaultMatchesType(definition: InputDefinition): boolean {
  const value = definition.default;
  if (value === undefined) return true;
  if (definition.type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (definition.type === 'boolean') return typeof value === 'boolean';
  return typeof value === 'string';
}

/** A value of the declared type, for checking config that references an input whose value is not known yet. */
export function representativeValue(definition: InputDefinition): InputValue {
  if (definition.default !== undefined && defaultMatchesType(definition)) return definition.default;
  return definition.type === 'number' ? 1 : definition.type === 'boolean' ? false : 'text';
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

function article(type: InputType): string {
  return type === 'number' ? 'a number' : type === 'boolean' ? 'true or false' : 'text';
}

/** Applies defaults, coerces strings from the CLI ("6" → 6 for number inputs), reports missing/unknown/mistyped as problems. */
export function resolveRunInputs(
  pipeline: Pick<Pipeline, 'id' | 'inputs'>,
  provided: Record<string, unknown>,
): { inputs: RunInputs; problems: ValidationProblem[] } {
  const declared = pipeline.inputs ?? {};
  const inputs: RunInputs = {};
  const problems: ValidationProblem[] = [];
  const names = Object.keys(declared);

  for (const [name, definition] of Object.entries(declared)) {
    const path = `/inputs/${escapePointer(name)}`;
    const given = provided[name];
    const blank = given === undefined || given === null || (definition.required && typeof given === 'string' && given.trim() === '');
    if (!blank) {
      const value = coerceInput(definition.type, given);
      if (value === undefined) {
        problems.push({ path, code: 'invalid_input', message: `input '${name}' must be ${article(definition.type)}, got ${describeValue(given)}` });
      } else {
        inputs[name] = value;
      }
      continue;
    }
    if (definition.default !== undefined && defaultMatchesType(definition)) {
      inputs[name] = definition.default;
    } else if (definition.required) {
      const about = definition.description ? ` (${definition.description})` : '';
      problems.push({ path, code: 'missing_input', message: `pipeline '${pipeline.id}' needs input '${name}'${about}` });
    }
  }

  for (const name of Object.keys(provided)) {
    if (name in declared) continue;
    const known = names.length > 0 ? `declared inputs: ${names.join(', ')}` : 'it declares no inputs';
    problems.push({ path: `/inputs/${escapePointer(name)}`, code: 'unknown_input', message: `pipeline '${pipeline.id}' has no input '${name}' (${known})` });
  }
  return { inputs, problems };
}
