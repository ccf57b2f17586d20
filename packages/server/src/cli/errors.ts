// Exit codes of every `storyloom` command and the errors that carry them to `main`.
import { isStoryloomError } from '@storyloom/engine';
import type { RunStatus } from '@storyloom/engine';

export const EXIT = {
  completed: 0,
  failed: 1,
  invalid: 2,
  waiting: 3,
  /** Stopped by Ctrl-C; the run stays resumable. The shell convention for SIGINT. */
  interrupted: 130,
} as const;

/** An error the CLI reports with a message on stderr and a given exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad command line: unknown command or option, missing argument. Exit 2 with a pointer to `--help`. */
export class UsageError extends CliError {
  constructor(
    readonly command: string | undefined,
    message: string,
  ) {
    super(EXIT.invalid, message);
    this.name = 'UsageError';
  }
}

export function invalid(message: string): CliError {
  return new CliError(EXIT.invalid, message);
}

/** The exit code of a run that stopped in `status`. */
export function exitCodeForStatus(status: RunStatus): number {
  switch (status) {
    case 'completed':
      return EXIT.completed;
    case 'waiting':
      return EXIT.waiting;
    default:
      return EXIT.failed;
  }
}

/** Engine errors caused by what the user asked for exit 2; everything else is a failure (exit 1). */
export function exitCodeForError(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (isStoryloomError(error, 'invalid_pipeline') || isStoryloomError(error, 'invalid_input')) return EXIT.invalid;
  if (isStoryloomError(error, 'not_found') || isStoryloomError(error, 'conflict') || isStoryloomError(error, 'forbidden')) return EXIT.invalid;
  return EXIT.failed;
}
