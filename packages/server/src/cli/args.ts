// A small argument parser for the `storyloom` commands: `--flag value`, `--flag=value`, boolean flags,
// repeatable flags and positionals, with a help text generated from the same declaration. Anything it
// does not recognise is a usage error (exit 2): typos must not pass silently.
import { UsageError } from './errors';

export type FlagKind = 'string' | 'boolean' | 'list';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  /** Shown in help: `--port <n>`. */
  valueName?: string;
  description: string;
  required?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  flags: FlagSpec[];
  /** Extra lines at the end of `--help` (exit codes, examples). */
  notes?: string[];
}

export interface ParsedArgs {
  positionals: Record<string, string | undefined>;
  flags: Record<string, string | boolean | string[] | undefined>;
  help: boolean;
}

/** Flags every command accepts besides its own. */
const HELP_FLAG: FlagSpec = { name: 'help', kind: 'boolean', description: 'show this help' };

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flagsByName = new Map(spec.flags.map((flag) => [flag.name, flag]));
  const flags: ParsedArgs['flags'] = {};
  const rest: string[] = [];
  let help = false;
  let onlyPositionals = false;

  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      rest.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(spec.name, `unknown option '${arg}'`);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const flag = flagsByName.get(name);
    if (!flag) throw new UsageError(spec.name, `unknown option '--${name}'${suggestion(name, spec.flags.map((f) => f.name))}`);
    if (flag.kind === 'boolean') {
      if (equals !== -1) throw new UsageError(spec.name, `option '--${name}' takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) value = arg.slice(equals + 1);
    else {
      value = argv[index + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(spec.name, `option '--${name}' needs a value (${flag.valueName ?? 'value'})`);
      }
      index += 1;
    }
    if (flag.kind === 'list') flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else if (flags[name] !== undefined) throw new UsageError(spec.name, `option '--${name}' given twice`);
    else flags[name] = value;
  }

  if (help) return { positionals: {}, flags, help };

  const positionals: ParsedArgs['positionals'] = {};
  spec.positionals.forEach((positional, index) => {
    positionals[positional.name] = rest[index];
    if (positional.required && rest[index] === undefined) {
      throw new UsageError(spec.name, `missing <${positional.name}>`);
    }
  });
  if (rest.length > spec.positionals.length) {
    throw new UsageError(spec.name, `unexpected argument '${rest[spec.positionals.length]}'`);
  }
  for (const flag of spec.flags) {
    if (flag.required && flags[flag.name] === undefined) {
      throw new UsageError(spec.name, `missing required option --${flag.name} <${flag.valueName ?? 'value'}>`);
    }
  }
  return { positionals, flags, help };
}

/** One-line synopsis: `storyloom export <runId> --format <f> [--out <file>]`. */
export function synopsis(spec: CommandSpec): string {
  const parts = [`storyloom ${spec.name}`];
  for (const positional of spec.positionals) parts.push(positional.required ? `<${positional.name}>` : `[${positional.name}]`);
  for (const flag of spec.flags) {
    const text = flag.kind === 'boolean' ? `--${flag.name}` : `--${flag.name} <${flag.valueName ?? 'value'}>`;
    parts.push(flag.required ? text : flag.kind === 'list' ? `[${text}]…` : `[${text}]`);
  }
  return parts.join(' ');
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${synopsis(spec)}`, '', spec.summary];
  const rows: Array<[string, string]> = [
    ...spec.positionals.map((p): [string, string] => [`<${p.name}>`, p.description]),
    ...[...spec.flags, HELP_FLAG].map((f): [string, string] => [
      f.kind === 'boolean' ? `--${f.name}` : `--${f.name} <${f.valueName ?? 'value'}>`,
      f.description,
    ]),
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  lines.push('', ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`));
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}

/** ` (did you mean '--out'?)` for a near miss, else ''. */
export function suggestion(name: string, candidates: readonly string[], prefix = '--'): string {
  const close = candidates.find((candidate) => editDistance(name, candidate) <= 2);
  return close ? ` (did you mean '${prefix}${close}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
