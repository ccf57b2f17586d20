// A throwaway PostgreSQL cluster of one test's own (initdb in a temporary directory, a free port, its socket in
// that directory): the test may restart or stop it without touching the shared server other tests use.
// As root the binaries run as the `postgres` user (initdb refuses root).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Where initdb and pg_ctl live (STORYLOOM_TEST_PG_BIN overrides the Debian/Ubuntu path of PostgreSQL 15). */
export const PG_BIN = process.env.STORYLOOM_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function pgBinariesPresent(): boolean {
  return ['initdb', 'pg_ctl'].every((name) => fs.existsSync(path.join(PG_BIN, name)));
}

export interface PgCluster {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  /** Creates an empty database in the cluster; answers its URL. */
  createDatabase(name: string): Promise<string>;
  /** One statement on a connection made for it (a test's own reads must not depend on any pool surviving a restart). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string, values?: unknown[]): Promise<R[]>;
  /** A fast restart (open connections are terminated), waiting until it accepts connections again. */
  restart(): Promise<void>;
  /** A fast stop (open connections are terminated): the database stays out of reach until `start`. */
  stop(): Promise<void>;
  /** Starts a stopped cluster, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops the cluster (immediately) and removes its directory; safe to call more than once. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function asPostgres(binary: string, args: string[]): Promise<void> {
  const command = path.join(PG_BIN, binary);
  const root = process.getuid?.() === 0;
  await run(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, { timeout: 60_000 });
}

/** Creates and starts a cluster; on failure whatever was made is removed again. */
export async function startPgCluster(): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-pg-'));
  if (process.getuid?.() === 0) await run('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  // Durability is not what this cluster is for: no fsync keeps start, writes and restarts quick.
  const pgCtl = (...args: string[]) =>
    asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', ...args]);
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    if (fs.existsSync(path.join(data, 'postmaster.pid'))) await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pgCtl('start');
  } catch (error) {
    const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
    await destroy();
    throw new Error(`could not start a PostgreSQL cluster of this test's own: ${(error as Error).message}\n${log}`);
  }
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async <R extends pg.QueryResultRow>(database: string, text: string, values: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    query,
    createDatabase: async (name) => {
      await query('postgres', `CREATE DATABASE ${name}`);
      return url(name);
    },
    restart: () => pgCtl('-m', 'fast', 'restart'),
    stop: () => pgCtl('-m', 'fast', 'stop'),
    start: () => pgCtl('start'),
    destroy,
  };
}
