// `storyloom <command> …`: dispatch, help, and the one place where errors become messages and exit codes.
import { commandHelp, suggestion, synopsis } from './args';
import { parseArgs } from './args';
import { approveCommand, rejectCommand } from './commands/decide';
import { cancelCommand } from './commands/cancel';
import { costCommand } from './commands/cost';
import type { Command } from './commands/command';
import { exportCommand } from './commands/export';
import { rerunCommand } from './commands/rerun';
import { resumeCommand } from './commands/resume';
import { runCommand } from './commands/run';
import { runsCommand } from './commands/runs';
import { serveCommand } from './commands/serve';
import { showCommand } from './commands/show';
import { usersCommand } from './commands/users';
import { validateCommand } from './commands/validate';
import { workerCommand } from './commands/worker';
import { migrateCommand } from './commands/migrate';
import { CliContext, processIO, resolveDatabase, type CliIO } from './context';
import { setMaxListeners } from 'node:events';
import { EXIT, UsageError, exitCodeForError } from './errors';

export const COMMANDS: readonly Command[] = [
  serveCommand,
  workerCommand,
  migrateCommand,
  validateCommand,
  runCommand,
  runsCommand,
  costCommand,
  showCommand,
  approveCommand,
  rejectCommand,
  resumeCommand,
  cancelCommand,
  rerunCommand,
  exportCommand,
  usersCommand,
];

function version(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function generalHelp(): string {
  return [
    'Storyloom: node-graph story pipelines (premise → logline, cast, outline, scenes, dialogue, review, export).',
    '',
    'Usage:',
    ...COMMANDS.map((command) => `  ${synopsis(command.spec)}`),
    '',
    "Run 'storyloom <command> --help' for a command's options.",
    'Database: --db, else $STORYLOOM_DB, else ./data/storyloom.db (shared with `storyloom serve`).',
    'Model: --model, else the node/pipeline model, else $STORYLOOM_MODEL, else the offline model.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  const write = (stream: NodeJS.WriteStream, text: string) => stream.write(`${text}\n`);
  if (name === undefined) {
    write(io.stderr, generalHelp());
    return EXIT.invalid;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    write(io.stdout, generalHelp());
    return EXIT.completed;
  }
  if (name === '--version' || name === '-v') {
    write(io.stdout, version());
    return EXIT.completed;
  }
  const command = COMMANDS.find((candidate) => candidate.spec.name === name);
  if (!command) {
    const hint = suggestion(name, COMMANDS.map((c) => c.spec.name), '');
    write(io.stderr, `storyloom: unknown command '${name}'${hint}\nRun 'storyloom --help' for the list of commands.`);
    return EXIT.invalid;
  }

  let ctx: CliContext | undefined;
  try {
    const args = parseArgs(command.spec, rest);
    if (args.help) {
      write(io.stdout, commandHelp(command.spec));
      return EXIT.completed;
    }
    const db = args.flags.db;
    ctx = new CliContext(io, resolveDatabase(io, typeof db === 'string' ? db : undefined));
    return await command.run(ctx, args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    write(io.stderr, `storyloom ${name}: ${message}`);
    if (error instanceof UsageError) write(io.stderr, `Usage: ${synopsis(command.spec)}\nRun 'storyloom ${name} --help' for details.`);
    const code = exitCodeForError(error);
    if (code === EXIT.failed && io.env.STORYLOOM_DEBUG && error instanceof Error) write(io.stderr, error.stack ?? '');
    return code;
  } finally {
    await ctx?.close();
  }
}

/** The launcher's entry: run, let stdout/stderr drain (pipes are asynchronous), then exit. */
export function runCli(argv: readonly string[] = process.argv.slice(2)): void {
  // LangGraph links an AbortSignal per parallel task to the run's signal: a wide fan-out (dialogue for 16
  // scenes, a server driving several runs) legitimately passes Node's default of 10 listeners per signal.
  setMaxListeners(200);
  main(argv).then(
    (code) => exitAfterFlush(code),
    (error: unknown) => {
      process.stderr.write(`storyloom: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      exitAfterFlush(EXIT.failed);
    },
  );
}

function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
