// `{{slot}}`, `{{slot.field}}` and `{{inputs.NAME}}` references in prompt templates and config strings.
import type { StoryMemory } from '../nodes/types';
import type { RunInputs } from './schema';

/** Matches one `{{ reference }}`; whitespace inside the braces is allowed. */
const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const INPUT_PREFIX = 'inputs.';

export interface TemplateReference {
  /** The text between the braces, trimmed: `logline.title`, `inputs.premise`. */
  expression: string;
  kind: 'slot' | 'input';
  /** Slot name or input name. */
  name: string;
  /** Field path inside the value: `['title']` for `{{logline.title}}`. */
  fields: string[];
}

export function parseReferences(template: string): TemplateReference[] {
  return [...template.matchAll(REFERENCE)].map((match) => parseReference(match[1]));
}

function parseReference(expression: string): TemplateReference {
  if (expression.startsWith(INPUT_PREFIX)) {
    const [name, ...fields] = expression.slice(INPUT_PREFIX.length).split('.');
    return { expression, kind: 'input', name, fields };
  }
  const [name, ...fields] = expression.split('.');
  return { expression, kind: 'slot', name, fields };
}

/** The slot names and input names a template references, each once, in order of first use. */
export function templateReferences(template: string): { slots: string[]; inputs: string[] } {
  const slots = new Set<string>();
  const inputs = new Set<string>();
  for (const reference of parseReferences(template)) {
    (reference.kind === 'input' ? inputs : slots).add(reference.name);
  }
  return { slots: [...slots], inputs: [...inputs] };
}

/** If the whole string is exactly one `{{inputs.NAME}}` reference, that input's name. */
export function wholeInputReference(text: string): string | undefined {
  const match = /^\{\{\s*inputs\.([^{}.\s]+)\s*\}\}$/.exec(text);
  return match?.[1];
}

/** Replaces every reference; a missing slot or input renders as an empty string. Objects become readable text. */
export function renderTemplate(template: string, scope: { memory: StoryMemory; inputs: RunInputs }): string {
  return template.replace(REFERENCE, (_whole, expression: string) => {
    const reference = parseReference(expression);
    const root: unknown = reference.kind === 'input' ? scope.inputs[reference.name] : scope.memory[reference.name];
    return readableText(reference.fields.reduce(fieldOf, root));
  });
}

/** Replaces only `{{inputs.NAME}}` references, leaving slot references for later. */
export function renderInputReferences(template: string, inputs: RunInputs): string {
  return template.replace(REFERENCE, (whole, expression: string) => {
    const reference = parseReference(expression);
    if (reference.kind !== 'input') return whole;
    return readableText(reference.fields.reduce(fieldOf, inputs[reference.name] as unknown));
  });
}

function fieldOf(value: unknown, field: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return (value as Record<string, unknown>)[field];
}

/**
 * Story-bible values as a model (or a person) reads them: strings as they are, lists as `- ` items,
 * objects as `key: value` lines with nested values indented. Not JSON: prompts read better without braces.
 */
export function readableText(value: unknown, indent = ''): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        if (isScalar(item)) return `${indent}- ${readableText(item)}`;
        const block = readableText(item, `${indent}  `);
        return `${indent}- ${block.trimStart()}`;
      })
      .join('\n');
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field !== undefined && field !== null)
    .map(([key, field]) =>
      isScalar(field) ? `${indent}${key}: ${readableText(field)}` : `${indent}${key}:\n${readableText(field, `${indent}  `)}`,
    )
    .join('\n');
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}
