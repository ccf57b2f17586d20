// What every command gets: the process's streams and environment, and a lazily opened engine on the
// database the server shares (`--db`, else STORYLOOM_DB, else ./data/storyloom.db).
import path from 'node:path';
import type { Actor, ModelEnv, Permission, Storyloom } from '@storyloom/engine/node';
import { CliError, EXIT } from './errors';
import type { FlagSpec } from './args';
import { withoutPassword } from '../http/redact';

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
    'STORYLOOM_PRICES',
  ] as const;
  for (const name of names) {
    if (env[name] !== undefined) picked[name] = env[name];
  }
  return picked;
}

/** `--db` (a SQLite file, or a postgres:// URL), else $STORYLOOM_DATABASE_URL, else $STORYLOOM_DB, else the default file. */
export function resolveDatabase(io: CliIO, flag: string | undefined): { dbPath: string } | { databaseUrl: string } {
  if (flag !== undefined && isDatabaseUrl(flag)) return { databaseUrl: flag };
  const url = io.env.STORYLOOM_DATABASE_URL?.trim();
  if (flag === undefined && url) return { databaseUrl: url };
  return { dbPath: resolveDbPath(io, flag) };
}

export function isDatabaseUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** A database URL without its password, for messages. */
export function describeDatabase(database: { dbPath: string } | { databaseUrl: string }): string {
  return 'dbPath' in database ? database.dbPath : withoutPassword(database.databaseUrl, 'the PostgreSQL database');
}

export class CliContext {
  private engine: Promise<Storyloom> | undefined;

  constructor(
    readonly io: CliIO,
    readonly database: { dbPath: string } | { databaseUrl: string },
  ) {}

  /** The SQLite file, or undefined when the database is PostgreSQL. */
  get dbPath(): string | undefined {
    return 'dbPath' in this.database ? this.database.dbPath : undefined;
  }

  /** Where the runs are, for messages. */
  get databaseLabel(): string {
    return describeDatabase(this.database);
  }

  get env(): ModelEnv {
    return modelEnv(this.io.env);
  }

  get interactive(): boolean {
    return isInteractive(this.io);
  }

  /** Opened on first use so `validate` and `--help` never touch the database. */
  storyloom(): Promise<Storyloom> {
    // A bad STORYLOOM_LEASE_TTL_MS is reported by the command that needed the database, like any open error.
    this.engine ??= Promise.resolve(engineNode()).then((engine) =>
      engine.openStoryloom({ ...this.database, env: this.env, leaseTtlMs: engine.leaseTtlFromEnv(this.io.env) }),
    );
    return this.engine;
  }

  /**
   * Who this command acts as: the user whose token is in STORYLOOM_TOKEN (their role must grant
   * `permission`; a gate's assignment is checked when deciding it), else the local owner, since whoever can
   * open the database file can do anything anyway.
   */
  async actor(permission: Permission): Promise<Actor> {
    const engine = engineNode();
    const token = this.io.env.STORYLOOM_TOKEN?.trim();
    if (!token) return engine.localActor();
    const user = await (await this.storyloom()).userForToken(token);
    if (!user) throw new CliError(EXIT.invalid, 'STORYLOOM_TOKEN is not a valid token (revoked, or of another database)');
    if (!engine.can(user.role, permission)) throw new CliError(EXIT.invalid, `${user.name} is a ${user.role} and may not do this (${permission})`);
    return { id: user.id, name: user.name, role: user.role };
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.then((opened) => opened.close(), () => undefined);
  }
}
