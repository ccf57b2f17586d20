// A node's config as its type reads it: `{{inputs.NAME}}` substituted, then parsed by the type's config schema.
import { StoryloomError, type ValidationProblem } from '../errors';
import { getNodeType } from '../nodes/catalogue';
import type { NodeType } from '../nodes/types';
import { problemsFromIssues } from './issues';
import type { PipelineNode, RunInputs } from './schema';
import { parseReferences, renderInputReferences, wholeInputReference } from './templates';

export interface InputSubstitution {
  config: Record<string, unknown>;
  /** Where an input's value was put, and which inputs it used. */
  uses: Array<{ path: PropertyKey[]; inputs: string[] }>;
}

/**
 * Replaces `{{inputs.NAME}}` in every config string. A string that is exactly one reference takes the input's
 * value and type (`"{{inputs.scenes}}"` → `6`), and is dropped when the input has no value, so the type's default
 * applies. Template fields are left alone: they are rendered with the story memory when the node runs.
 */
export function substituteInputs(config: Record<string, unknown>, templateFields: readonly string[], inputs: RunInputs): InputSubstitution {
  const uses: InputSubstitution['uses'] = [];
  const visit = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const references = parseReferences(value).filter((reference) => reference.kind === 'input');
      if (references.length === 0) return value;
      uses.push({ path, inputs: references.map((reference) => reference.name) });
      const whole = wholeInputReference(value);
      return whole !== undefined ? inputs[whole] : renderInputReferences(value, inputs);
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      const result: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(value)) {
        const resolved = path.length === 0 && templateFields.includes(key) ? field : visit(field, [...path, key]);
        if (resolved !== undefined) result[key] = resolved;
      }
      return result;
    }
    return value;
  };
  return { config: visit(config, []) as Record<string, unknown>, uses };
}

export interface ConfigCheck {
  config?: unknown;
  problems: ValidationProblem[];
}

/**
 * Parses a node's config with its type's schema. `stand-ins` names inputs whose values are representative
 * rather than real (the validator does not know the run's values yet): for those, only a wrong type is a problem.
 */
export function checkNodeConfig(
  node: PipelineNode,
  /** Where the node's config is in the document, e.g. `['nodes', 2, 'config']`. */
  base: readonly PropertyKey[],
  type: NodeType,
  inputs: RunInputs,
  standIns: ReadonlySet<string> = new Set(),
): ConfigCheck {
  const { config, uses } = substituteInputs(node.config ?? {}, type.templateFields ?? [], inputs);
  const parsed = type.configSchema.safeParse(config);
  if (parsed.success) return { config: parsed.data, problems: [] };
  const guessed = uses.filter((use) => use.inputs.some((name) => standIns.has(name))).map((use) => use.path.join('\u0000'));
  const issues = parsed.error.issues.filter((issue) => issue.code === 'invalid_type' || !guessed.includes(issue.path.join('\u0000')));
  const problems = problemsFromIssues(issues, {
    base,
    input: config,
    schema: type.configSchema,
    code: () => 'invalid_config',
    where: (path) => `${type.type} '${node.id}' config${path.length ? ` '${path.join('.')}'` : ''}${inputNote(uses, path, inputs, standIns)}`,
  });
  return { config: problems.length === 0 ? parsed.data : undefined, problems };
}

function inputNote(uses: InputSubstitution['uses'], path: readonly PropertyKey[], inputs: RunInputs, standIns: ReadonlySet<string>): string {
  const use = uses.find((candidate) => candidate.path.join('\u0000') === path.join('\u0000'));
  if (!use) return '';
  const sources = use.inputs.map((name) => (standIns.has(name) ? `input '${name}'` : `input '${name}' = ${JSON.stringify(inputs[name])}`));
  return ` (from ${sources.join(', ')})`;
}

/** Substitutes {{inputs.NAME}} in config strings (a whole-string reference takes the input's value and type) and parses with the type's configSchema. */
export function resolveNodeConfig(node: PipelineNode, inputs: RunInputs): unknown {
  const type = getNodeType(node.type);
  if (!type) throw new StoryloomError('invalid_pipeline', `node '${node.id}' has unknown type '${node.type}'`);
  // Paths are relative to the node here: the caller knows the node, not its place in a file.
  const checked = checkNodeConfig(node, ['config'], type, inputs);
  if (checked.problems.length > 0) {
    throw new StoryloomError('invalid_input', checked.problems.map((problem) => problem.message).join('; '), checked.problems);
  }
  return checked.config;
}
