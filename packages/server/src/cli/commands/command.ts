// The shape of one `storyloom` sub-command: its declaration (parsed and shown in --help) and its action.
import type { CommandSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';

export interface Command {
  spec: CommandSpec;
  /** Resolves to the process exit code. */
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function listFlag(args: ParsedArgs, name: string): string[] {
  const value = args.flags[name];
  return Array.isArray(value) ? value : [];
}

export function boolFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

/** Positionals declared `required` are checked by the parser. */
export function positional(args: ParsedArgs, name: string): string {
  return args.positionals[name] ?? '';
}

export const JSON_FLAG = { name: 'json', kind: 'boolean', description: 'print the run as one JSON document on stdout (as GET /api/runs/:id)' } as const;

export const OUT_FLAG = { name: 'out', kind: 'string', valueName: 'dir', description: "when the run completes, write every export node's document and run.json into dir" } as const;

export const RUN_EXIT_NOTES = [
  'Exit codes: 0 completed, 1 failed, 2 invalid input or pipeline, 3 waiting for approval (run id on stdout),',
  '            130 stopped with Ctrl-C (the run stays resumable).',
  'In a terminal it shows per-node progress and asks at each approval; otherwise it prints a line per event',
  'on stderr and stops at the first approval. If another process is driving the run, it follows that',
  "process's progress (and takes over if that process dies).",
];
