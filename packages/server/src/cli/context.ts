// What every command gets: the process's streams and environment, and a lazily opened engine on the
// database the server shares (`--db`, else STORYLOOM_DB, else ./data/storyloom.db).
import path from 'node:path';
import type { ModelEnv, Storyloom } from '@storyloom/engine/node';
import type { FlagSpec } from './args';

type EngineNodeModule = typeof import('@storyloom/engine/node');

/**
 * The Node-only engine (runner, SQLite, LangChain providers), loaded on first use: it takes most of a
 * second to load, and `--help`, `validate` and usage errors do not need it.
 */
export function engineNode(): EngineNodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@storyloom/engine/node') as EngineNodeModule;
}

export const DEFAULT_DB_PATH = './data/storyloom.db';

export const DB_FLAG: FlagSpec = {
  name: 'db',
  kind: 'string',
  valueName: 'file',
  description: `SQLite database (default: $STORYLOOM_DB or ${DEFAULT_DB_PATH})`,
};

export interface CliIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** A terminal: progress is redrawn in place and approvals are asked interactively. */
export function isInteractive(io: CliIO): boolean {
  return Boolean(io.stdout.isTTY);
}

export function resolveDbPath(io: CliIO, flag: string | undefined): string {
  const chosen = flag ?? (io.env.STORYLOOM_DB?.trim() || DEFAULT_DB_PATH);
  return chosen === ':memory:' ? chosen : path.resolve(io.cwd, chosen);
}

/** Only the variables the model layer reads (keys stay in the environment, never in files). */
export function modelEnv(env: NodeJS.ProcessEnv): ModelEnv {
  const picked: ModelEnv = {};
  const names = [
    'STORYLOOM_MODEL',
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
    'OLLAMA_BASE_URL',
    'STORYLOOM_MODELS_DIR',
    'STORYLOOM_LOCAL_GPU',
    'STORYLOOM_LOCAL_SEQUENCES',
    'STORYLOOM_LOCAL_THREADS',
  ] as const;
  for (const name of names) {
    if (env[name] !== undefined) picked[name] = env[name];
  }
  return picked;
}

export class CliContext {
  private engine: Storyloom | undefined;

  constructor(
    readonly io: CliIO,
    readonly dbPath: string,
  ) {}

  get env(): ModelEnv {
    return modelEnv(this.io.env);
  }

  get interactive(): boolean {
    return isInteractive(this.io);
  }

  /** Opened on first use so `validate` and `--help` never touch the database. */
  get storyloom(): Storyloom {
    this.engine ??= engineNode().openStoryloom({ dbPath: this.dbPath, env: this.env });
    return this.engine;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  close(): void {
    this.engine?.close();
    this.engine = undefined;
  }
}
