// Node checks: types, inputs and their defaults, configs, and the slot a node writes.
import { nodeTypes } from '../nodes/catalogue';
import { problem } from './codes';
import { nodeName, nodeTitle, type Checked } from './check-context';
import { checkNodeConfig } from './config';
import { defaultMatchesType, representativeValue, resolveRunInputs } from './inputs';
import { describeJson } from './json';
import { escapePointer } from './pointer';
import type { RunInputs } from './schema';
import { didYouMean } from './suggest';

/** The run values config is checked with, and which of them are stand-ins for values not known yet. */
export interface InputValues {
  values: RunInputs;
  standIns: Set<string>;
}

export function checkNodeTypes({ pipeline, types, problems }: Checked): void {
  const known = nodeTypes.map((type) => type.type);
  pipeline.nodes.forEach((node, index) => {
    if (types[index]) return;
    const hint = didYouMean(node.type, known) || `; known types: ${known.join(', ')}`;
    problems.push(problem(`/nodes/${index}/type`, 'unknown_node_type', `node '${node.id}' has unknown type '${node.type}'${hint}`));
  });
}

/**
 * Checks input defaults, and the run inputs when given. Returns the values config is checked with: the run's
 * values, else defaults, else stand-ins of the declared type (for which only the type can be checked).
 */
export function checkInputs({ pipeline, problems }: Checked, options: { inputs?: Record<string, unknown> }): InputValues {
  const declared = pipeline.inputs ?? {};
  for (const [name, definition] of Object.entries(declared)) {
    if (defaultMatchesType(definition)) continue;
    problems.push(
      problem(
        `/inputs/${escapePointer(name)}/default`,
        'invalid_input_default',
        `input '${name}' is declared as ${definition.type} but its default is ${describeJson(definition.default)}`,
      ),
    );
  }
  const given = options.inputs ? resolveRunInputs(pipeline, options.inputs) : undefined;
  // A loop, not push(...list): a spread of a very long list overflows the stack.
  for (const found of given?.problems ?? []) problems.push(found);
  const values: RunInputs = {};
  const standIns = new Set<string>();
  for (const [name, definition] of Object.entries(declared)) {
    const known = given?.inputs[name] ?? (defaultMatchesType(definition) ? definition.default : undefined);
    if (known !== undefined) {
      values[name] = known;
    } else {
      values[name] = representativeValue(definition);
      standIns.add(name);
    }
  }
  return { values, standIns };
}

export function checkConfigs(checked: Checked, inputs: InputValues, unreadableConfig: Set<number>): void {
  checked.pipeline.nodes.forEach((node, index) => {
    const type = checked.types[index];
    if (!type || unreadableConfig.has(index)) return;
    const result = checkNodeConfig(node, ['nodes', index, 'config'], type, inputs.values, inputs.standIns);
    checked.configs[index] = result.config;
    for (const found of result.problems) checked.problems.push(found);
  });
}

export function checkWrites(checked: Checked): void {
  checked.pipeline.nodes.forEach((node, index) => {
    const type = checked.types[index];
    if (!type || type.writes !== undefined || node.writes !== undefined) return;
    checked.problems.push(
      problem(`/nodes/${index}/writes`, 'missing_writes', `${nodeTitle(checked, index)} needs a name for what it writes — fill in its "writes" slot (for example "tagline")`),
    );
  });
}

/** Slot references per node index that were reported here, so the read check does not report them again. */
