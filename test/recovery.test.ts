// A running server keeps finishing runs whose driver died, with real processes on one SQLite file and the
// OpenAI-compatible stub counting every prompt:
// - a server killed with its whole process group right after a node completes, its successor started at
//   once, ten times over, while the killed process stays a zombie (its parent does not reap it): every run
//   completes, and no prompt of a node that had completed is sent again;
// - a CLI driving a run is killed while a server is up: the server takes the run over within one scan, and
//   a CLI that comes back with `resume` follows it instead of driving it too;
// - a CLI that pauses (SIGSTOP, like a suspended machine) past its lease: the server takes over only once
//   the lease has expired, within one scan of it, and the CLI, once continued, sends no prompt and follows.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { RunView } from '@storyloom/engine/node';
import { startOpenAIStub, type OpenAIStub, type StubRequest } from './support/openai-stub';
import { CLI_BIN, CliProcess, cliEnv, PIPELINES_DIR, runCli, spawnCli, tempWorkspace, type TempWorkspace } from './support/cli';

jest.setTimeout(300_000);

const PREMISE = 'A diver hired to raise a sunken piano finds the pianist still playing';

interface ServerProcess {
  process: CliProcess;
  /** The server's own node process (for the group-kill test: the leader of its own process group). */
  pid: number;
  url: string;
}

/**
 * `storyloom serve` in its own process group (`setsid`), as a child of a parent that never reaps its
 * children (a shell that became `sleep`). Killed, the server stays a zombie for as long as that parent
 * lives: the state an operator sees for seconds when init reaps lazily, here for the whole round.
 * `process` is the parent, whose output is the server's.
 */
async function startServerUnreaped(ws: TempWorkspace, env: Record<string, string>): Promise<ServerProcess> {
  const args = [CLI_BIN, 'serve', '--port', '0', '--db', ws.dbPath];
  const parent = spawn('/bin/sh', ['-c', 'setsid "$@" & echo "pid $!"; exec sleep 600', 'sh', process.execPath, ...args], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const server = new CliProcess(parent);
  await server.waitFor(/Storyloom on http:\/\/localhost:\d+/, 60_000);
  return {
    process: server,
    pid: Number(/^pid (\d+)$/m.exec(server.stdout)![1]),
    url: `http://127.0.0.1:${/Storyloom on http:\/\/localhost:(\d+)/.exec(server.stdout)![1]}`,
  };
}

function killGroup(leader: number): void {
  try {
    process.kill(-leader, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function startServer(ws: TempWorkspace, env: Record<string, string>): Promise<ServerProcess> {
  const server = spawnCli(['serve', '--port', '0', '--db', ws.dbPath], { env });
  await server.waitFor(/Storyloom on http:\/\/localhost:\d+/, 60_000);
  return { process: server, pid: server.child.pid!, url: `http://127.0.0.1:${/Storyloom on http:\/\/localhost:(\d+)/.exec(server.stdout)![1]}` };
}

/** The shipped 8-node screenplay (7 model calls' worth of nodes) on the stub, with 3 scenes and 3 characters. */
function stubbedScreenplay(): Record<string, unknown> {
  const pipeline = JSON.parse(fs.readFileSync(path.join(PIPELINES_DIR, 'short-screenplay.json'), 'utf8')) as Record<string, unknown>;
  return { ...pipeline, id: 'recovery-screenplay', model: 'openai:stub-model' };
}

const INPUTS = { premise: PREMISE, scenes: 3, cast: 3 };

const promptOf = (request: StubRequest) => JSON.stringify(request.messages);

/**
 * The node a request was made for, from the output schema it asked for (each node type here has its own;
 * the dialogue node asks for screenplay text without one).
 */
function nodeOf(request: StubRequest): string {
  const keys = Object.keys((request.responseFormat?.json_schema?.schema as { properties?: object } | undefined)?.properties ?? {});
  if (keys.length === 0) return 'lines';
  // Continuity facts are read by the planning node from its cards, and by the writing node from each scene it wrote.
  if (keys.includes('facts')) return promptOf(request).includes('Scene cards') ? 'scene-list' : 'lines';
  const byKey: Array<[string, string]> = [
    ['logline', 'logline'],
    ['characters', 'cast'],
    ['locations', 'world'],
    ['acts', 'beats'],
    ['scenes', 'scene-list'],
    ['score', 'notes'],
    ['flags', 'notes'], // the review's policy judge, a second call of the same node
  ];
  const found = byKey.find(([key]) => keys.includes(key));
  if (!found) throw new Error(`cannot tell which node asked for an output with ${keys.join(', ')}`);
  return found[1];
}


/** Read-only look at the database the processes share (WAL: it never blocks them). */
class DatabaseProbe {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
  }

  completedNodes(runId: string): string[] {
    const rows = this.db.prepare("SELECT node_id FROM run_nodes WHERE run_id = ? AND status = 'completed'").all(runId) as Array<{ node_id: string }>;
    return rows.map((row) => row.node_id).sort();
  }

  hasEvent(runId: string, type: string): boolean {
    return this.db.prepare('SELECT 1 FROM run_events WHERE run_id = ? AND type = ? LIMIT 1').get(runId, type) !== undefined;
  }

  /** How many node.completed events each node attempt has. */
  completionsByAttempt(runId: string): Array<{ node: string; attempt: number; count: number }> {
    return this.db
      .prepare(
        "SELECT node_id AS node, json_extract(data, '$.attempt') AS attempt, COUNT(*) AS count FROM run_events WHERE run_id = ? AND type = 'node.completed' GROUP BY node_id, attempt",
      )
      .all(runId) as Array<{ node: string; attempt: number; count: number }>;
  }

  lease(runId: string): { owner: string | null; pid: number | null; expires: number | null } {
    const row = this.db.prepare('SELECT lease_owner, lease_pid, lease_expires FROM runs WHERE id = ?').get(runId) as {
      lease_owner: string | null;
      lease_pid: number | null;
      lease_expires: number | null;
    };
    return { owner: row.lease_owner, pid: row.lease_pid, expires: row.lease_expires };
  }

  close(): void {
    this.db.close();
  }
}

/** Whether some process holds the file's write lock now (a write transaction open), asked without waiting. */
function writeLockHeld(file: string): boolean {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    db.close();
  }
}

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 30_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function getRun(url: string, runId: string): Promise<RunView> {
  return (await (await fetch(`${url}/api/runs/${runId}`)).json()) as RunView;
}

async function untilSettled(url: string, runId: string, timeoutMs: number): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(url, runId);
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(Object.entries(run.nodes).map(([id, n]) => [id, n.status])))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * What a driver's death may cost: only the nodes in flight. `requests` are the run's requests, `killedAt`
 * the index of the first one made after the kill, `completedAtKill` the nodes already completed then.
 */
function expectNoCompletedPromptResent(requests: StubRequest[], killedAt: number, completedAtKill: string[]): void {
  const after = requests.slice(killedAt);
  expect(after.filter((request) => completedAtKill.includes(nodeOf(request))).map(nodeOf)).toEqual([]);
  const sent = new Map<string, StubRequest[]>();
  for (const request of requests) sent.set(promptOf(request), [...(sent.get(promptOf(request)) ?? []), request]);
  const resentCompleted = [...sent.values()].filter((same) => same.length > 1 && completedAtKill.includes(nodeOf(same[0])));
  expect(resentCompleted.map((same) => nodeOf(same[0]))).toEqual([]);
}

/** Every node completed, each of its attempts once (a review may send a node back for a revision: a new attempt). */
function expectEachNodeCompletedOnce(probe: DatabaseProbe, runId: string, nodeIds: string[]): void {
  const completions = probe.completionsByAttempt(runId);
  expect(nodeIds.filter((id) => !completions.some((c) => c.node === id))).toEqual([]);
  expect(completions.filter((c) => c.count !== 1)).toEqual([]);
}

const NODE_IDS = ['logline', 'cast', 'world', 'beats', 'scene-list', 'lines', 'notes', 'script'];

let ws: TempWorkspace;
let stub: OpenAIStub;
let probe: DatabaseProbe | undefined;
const processes: CliProcess[] = [];
const groups: number[] = [];

beforeEach(async () => {
  ws = tempWorkspace('storyloom-recovery-');
  stub = await startOpenAIStub({ latencyMs: 100, tokenDelayMs: 1 });
});
afterEach(async () => {
  for (const group of groups.splice(0)) killGroup(group);
  for (const child of processes.splice(0)) {
    if (child.child.signalCode === 'SIGSTOP' || child.child.exitCode === null) child.child.kill('SIGCONT');
    child.kill('SIGKILL');
    await child.exited;
  }
  probe?.close();
  probe = undefined;
  await stub.close();
  ws.cleanup();
});

test('a server group-killed right after a node completes, successor started at once, 10 times: every run completes, no completed prompt re-sent', async () => {
  // A lease far longer than the test waits: only seeing that the old process is dead (a zombie) lets the
  // successor take the run over in time, not the lease running out.
  const env = { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'server-key', STORYLOOM_LEASE_TTL_MS: '120000', STORYLOOM_PIPELINES_DIR: '' };
  let server = await startServerUnreaped(ws, env);
  groups.push(server.pid, server.process.child.pid!);
  probe = new DatabaseProbe(ws.dbPath);

  for (let round = 0; round < 10; round++) {
    const firstRequest = stub.requests.length;
    const started = await fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: stubbedScreenplay(), inputs: { ...INPUTS, premise: `${PREMISE} (take ${round + 1})` } }),
    });
    expect(started.status).toBe(202);
    const runId = ((await started.json()) as { id: string }).id;
    await until(() => probe!.hasEvent(runId, 'node.completed'), `run ${runId}'s first node.completed`, 60_000, 2);

    const old = server;
    killGroup(old.pid);
    const killedAt = stub.requests.length;
    const completedAtKill = probe.completedNodes(runId);
    server = await startServerUnreaped(ws, env);
    groups.push(server.pid, server.process.child.pid!);

    expect(completedAtKill).toContain('logline');
    await until(() => probe!.lease(runId).pid === server.pid, `the successor to take run ${runId} over`, 60_000, 10);
    // Taken over from a process that is still a zombie: a signal reaches it, yet it holds nothing.
    expect(statOf(old.pid)).toMatch(/\) Z /);
    killGroup(old.process.child.pid!); // its parent, which lets init reap it
    const done = await untilSettled(server.url, runId, 60_000);
    expect([round, done.status]).toEqual([round, 'completed']);
    expectEachNodeCompletedOnce(probe, runId, NODE_IDS);
    const requests = stub.requests.slice(firstRequest);
    expectNoCompletedPromptResent(requests, killedAt - firstRequest, completedAtKill);
    expect(requests.slice(killedAt - firstRequest).length).toBeGreaterThan(0); // the successor did the rest
  }
});

function statOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

const SHORT_LEASE_MS = 3_000;
/** The server's scan interval for that lease: a fifth of it. */
const SCAN_MS = SHORT_LEASE_MS / 5;

/** A CLI's environment: the short lease, and its own API key so the stub tells its requests from the server's. */
const cliRunEnv = () => ({ OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'cli-key', STORYLOOM_LEASE_TTL_MS: String(SHORT_LEASE_MS) });

/** A CLI run of the screenplay on the stub, with its own API key so the stub tells its requests from the server's. */
async function startCliRun(): Promise<{ cli: CliProcess; runId: string }> {
  const file = ws.file('screenplay.json', stubbedScreenplay());
  const cli = spawnCli(['run', file, '--input', `premise=${PREMISE}`, '--input', 'scenes=3', '--input', 'cast=3', '--db', ws.dbPath], {
    env: cliRunEnv(),
  });
  processes.push(cli);
  await cli.waitFor(/Run \S+?:/, 60_000);
  return { cli, runId: /Run (\S+?):/.exec(cli.stderr + cli.stdout)![1] };
}

const byCli = (request: StubRequest) => request.authorization === 'Bearer cli-key';

/** The server has taken the run over: it holds the run's lease. */
function takenOverBy(server: ServerProcess, runId: string): boolean {
  return probe!.lease(runId).pid === server.pid;
}

/** A server with the short lease, and a CLI driving a run on the same database, past its first node. */
async function cliRunBesideServer(): Promise<{ server: ServerProcess; cli: CliProcess; runId: string }> {
  const server = await startServer(ws, { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'server-key', STORYLOOM_LEASE_TTL_MS: String(SHORT_LEASE_MS), STORYLOOM_PIPELINES_DIR: '' });
  processes.push(server.process);
  const { cli, runId } = await startCliRun();
  probe = new DatabaseProbe(ws.dbPath);
  await until(() => probe!.hasEvent(runId, 'node.completed'), 'the first node.completed', 60_000, 2);
  return { server, cli, runId };
}

/** Signals the CLI and notes the moment: the time, how many requests the stub had, the nodes completed then. */
function signalCli(cli: CliProcess, runId: string, signal: NodeJS.Signals): { at: number; requests: number; completed: string[] } {
  cli.kill(signal);
  return { at: Date.now(), requests: stub.requests.length, completed: probe!.completedNodes(runId) };
}

/** A CLI that found the run driven elsewhere, followed it to its end and exited as `run` does. */
function expectFollowedToCompletion(result: { code: number | null; stderr: string }, runId: string): void {
  expect(result.stderr).toMatch(/is being driven by another process/);
  expect(result.stderr).toMatch(new RegExp(`Run ${runId} completed`));
  expect(result.code).toBe(0);
}

/**
 * Completed by the server, each node once, no completed prompt re-sent, and no request from a CLI since
 * `cliQuietFrom` (by default `fromRequest`).
 */
async function expectFinishedByServer(server: ServerProcess, runId: string, fromRequest: number, completedThen: string[], cliQuietFrom = fromRequest): Promise<void> {
  expect((await getRun(server.url, runId)).status).toBe('completed');
  expectEachNodeCompletedOnce(probe!, runId, NODE_IDS);
  expectNoCompletedPromptResent(stub.requests, fromRequest, completedThen);
  expect(stub.requests.slice(cliQuietFrom).filter(byCli)).toEqual([]);
}

test('a CLI driving a run is killed while a server is up: the server finishes it within one scan; `resume` follows it', async () => {
  const { server, cli, runId } = await cliRunBesideServer();

  const killed = signalCli(cli, runId, 'SIGKILL');
  await cli.exited;
  const takenOverAt = await until(() => takenOverBy(server, runId) && Date.now(), 'the server to take the run over', 30_000, 10);
  // The CLI's process is gone, so its lease is dead at once: the next scan finds it, well inside TTL + one scan.
  process.stdout.write(`recovery: CLI killed, server took the run over after ${takenOverAt - killed.at} ms\n`);
  expect(takenOverAt - killed.at).toBeLessThanOrEqual(SHORT_LEASE_MS + SCAN_MS);
  expect(probe!.lease(runId).owner).toBe(`${hostname()}:${server.pid}`);

  // The producer comes back to the run from the command line: the CLI follows the server's progress.
  // (Counted from here: a request the killed CLI wrote just before its death may reach the stub after it.)
  const beforeResume = stub.requests.length;
  const resumed = spawnCli(['resume', runId, '--db', ws.dbPath], { env: cliRunEnv() });
  processes.push(resumed);
  expectFollowedToCompletion(await resumed.exited, runId);
  await expectFinishedByServer(server, runId, killed.requests, killed.completed, beforeResume); // the CLI that came back sent nothing
});

test('a CLI paused past its lease: the server takes over only once the lease expired; the CLI, continued, sends nothing and follows', async () => {
  const { server, cli, runId } = await cliRunBesideServer();

  // Paused between two of its write transactions. (One frozen inside a transaction holds the SQLite file's
  // write lock, and no process can write to the file until it runs again: a lease cannot change that.)
  const pause = async () => {
    const signalled = signalCli(cli, runId, 'SIGSTOP');
    await until(() => /\) T /.test(statOf(cli.child.pid!)), 'the CLI to stop', 5_000, 1);
    return signalled;
  };
  let stopped = await pause();
  let pausedInside = 0;
  for (; writeLockHeld(ws.dbPath); pausedInside++) {
    if (pausedInside === 100) throw new Error('the CLI was paused inside a write transaction 100 times in a row');
    cli.child.kill('SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 5));
    stopped = await pause();
  }
  if (pausedInside > 0) process.stdout.write(`recovery: the CLI was paused inside a write transaction ${pausedInside} time(s); paused again\n`);
  await new Promise((resolve) => setTimeout(resolve, 50)); // a renewal already under way lands
  const pausedFrom = stub.requests.length; // a request the CLI wrote just before its pause has arrived by now
  const expires = probe!.lease(runId).expires!;
  const takenOverAt = await until(() => takenOverBy(server, runId) && Date.now(), 'the server to take the run over', 30_000, 10);
  // The paused process is alive: its lease holds until it expires, and is taken within one scan after.
  process.stdout.write(`recovery: CLI paused, server took the run over ${takenOverAt - expires} ms after its lease expired (${takenOverAt - stopped.at} ms after the pause)\n`);
  expect(takenOverAt).toBeGreaterThanOrEqual(expires);
  // The lease was last renewed at or before the pause, so it expired at most a TTL after it.
  expect(takenOverAt - stopped.at).toBeLessThanOrEqual(SHORT_LEASE_MS + SCAN_MS);

  cli.child.kill('SIGCONT');
  expectFollowedToCompletion(await cli.exited, runId);
  await expectFinishedByServer(server, runId, stopped.requests, stopped.completed, pausedFrom); // continued, it sent nothing
});

test('a lease TTL that is not a whole number of milliseconds, at least 1000, is refused by the CLI and the server (exit 2)', async () => {
  for (const command of [['runs'], ['serve', '--port', '0']]) {
    const refused = await runCli([...command, '--db', ws.dbPath], { env: { STORYLOOM_LEASE_TTL_MS: '50' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/STORYLOOM_LEASE_TTL_MS must be a whole number of milliseconds, at least 1000; got "50"/);
  }
});
