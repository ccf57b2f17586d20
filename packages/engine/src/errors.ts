/** A problem found in a pipeline document: `path` is a JSON pointer into it. */
export interface ValidationProblem {
  path: string;
  code: string;
  message: string;
  /** A change that resolves the problem, for a tool to offer as one action (the message says it in words). */
  fix?: ProblemFix;
}

/** Connect `source` before `target`: an edge from the node that writes what `target` needs. */
export interface ProblemFix {
  kind: 'connect';
  source: string;
  target: string;
}

export type StoryloomErrorCode =
  | 'invalid_pipeline' // the pipeline document has validation problems (details: ValidationProblem[])
  | 'invalid_input' // run inputs, a decision, an edit or a request that does not fit
  | 'not_found'
  | 'conflict' // stale version, second decision, run not in a state that allows this
  | 'forbidden' // the person asking may not do this (their role, or a gate assigned to someone else)
  | 'lease_held' // another process is driving this run
  | 'model_error' // the model failed after retries
  | 'cancelled';

/** Errors the engine raises on purpose; adapters map `code` to an HTTP status or exit code. */
export class StoryloomError extends Error {
  constructor(
    readonly code: StoryloomErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'StoryloomError';
  }
}

export function isStoryloomError(error: unknown, code?: StoryloomErrorCode): error is StoryloomError {
  return error instanceof StoryloomError && (code === undefined || error.code === code);
}
