// The crash promise end to end: a CLI run against an OpenAI-compatible stub server (its own process, ~300 ms per
// call) is killed with SIGKILL during a model call, between nodes and while waiting at an approval; each
// time new CLI processes resume it to completion, and the stub's request log proves that no completed
// node's prompt was sent again. Also: a model server that is down fails the run (exit 1) and `resume`
// completes it once the server is back.
import { spawn, type ChildProcess } from 'node:child_process';
import type { StubRequest } from './support/openai-stub';
import { STUB_SERVER_SCRIPT } from './support/openai-stub';
import { trackChild } from './support/child-processes';
import { CLI_BIN, CliProcess, approvalPipeline, cliEnv, parseFountain, runCli, spawnCli, tempWorkspace, type TempWorkspace } from './support/cli';

jest.setTimeout(120_000);

interface StubProcess {
  url: string;
  port: number;
  requests(): Promise<StubRequest[]>;
  setBehavior(behavior: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

async function startStubProcess(args: string[]): Promise<StubProcess> {
  const child = trackChild(spawn(process.execPath, [STUB_SERVER_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const { url, port } = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n')) resolve(JSON.parse(line) as { url: string; port: number });
    });
    child.on('exit', (code) => reject(new Error(`stub server exited (${code})`)));
  });
  const control = `http://127.0.0.1:${port}/_stub`;
  return {
    url,
    port,
    requests: async () => (await (await fetch(`${control}/requests`)).json()) as StubRequest[],
    setBehavior: async (behavior) => {
      const response = await fetch(`${control}/behavior`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(behavior) });
      if (!response.ok) throw new Error(`stub behavior: ${response.status}`);
    },
    stop: () => stopProcess(child),
  };
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface RunJson {
  id: string;
  status: string;
  nodes: Record<string, { status: string }>;
  pending: Array<{ nodeId: string }>;
}
interface EventJson {
  seq: number;
  type: string;
  nodeId?: string;
  at: string;
}

let ws: TempWorkspace;
let stub: StubProcess;
let db: string[];
let env: Record<string, string>;
let pipelineFile: string;
const PREMISE = 'premise=A diver hired to recover a sunken piano finds the pianist still playing';

beforeAll(async () => {
  ws = tempWorkspace('storyloom-crash-');
  db = ['--db', ws.dbPath];
  // ~300 ms before each reply, then a streamed reply (~3 ms between chunks) that is still in flight for a while.
  stub = await startStubProcess(['--latency', '300', '--token-delay', '3']);
  env = { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'test-key' };
  pipelineFile = ws.file('crash.json', approvalPipeline({ scenes: 3 }));
});
afterAll(async () => {
  await stub?.stop();
  ws.cleanup();
});

const cli = (args: string[]) => runCli([...args, ...db], { env });
const show = async (runId: string): Promise<RunJson> => JSON.parse((await cli(['show', runId, '--json'])).stdout) as RunJson;
const events = async (runId: string): Promise<EventJson[]> => JSON.parse((await cli(['show', runId, '--events', '--json'])).stdout) as EventJson[];

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Which node each request belongs to: the pipeline is a chain, so node [started, completed] windows do not overlap. */
function attribute(requests: StubRequest[], log: EventJson[]): Map<number, string> {
  const windows: Array<{ nodeId: string; from: number; to: number }> = [];
  const open = new Map<string, number>();
  for (const event of log) {
    if (!event.nodeId) continue;
    const at = Date.parse(event.at);
    if (event.type === 'node.started') open.set(event.nodeId, at);
    if ((event.type === 'node.completed' || event.type === 'node.failed') && open.has(event.nodeId)) {
      windows.push({ nodeId: event.nodeId, from: open.get(event.nodeId)!, to: at });
      open.delete(event.nodeId);
    }
  }
  for (const [nodeId, from] of open) windows.push({ nodeId, from, to: Infinity });
  const owners = new Map<number, string>();
  for (const request of requests) {
    const owner = windows.filter((w) => request.at >= w.from - 5 && request.at <= w.to + 5).sort((a, b) => b.from - a.from)[0];
    if (owner) owners.set(request.id, owner.nodeId);
  }
  return owners;
}

/** The prompts of nodes that had completed when the process was killed. */
async function completedPromptsAtKill(runId: string, killedAfterRequest: number) {
  const run = await show(runId);
  // A node waiting for approval has finished its model call too: resuming must not call the model for it.
  const completed = Object.entries(run.nodes).filter(([, n]) => n.status === 'completed' || n.status === 'waiting').map(([id]) => id);
  const requests = (await stub.requests()).filter((r) => r.id <= killedAfterRequest);
  const owners = attribute(requests, await events(runId));
  const prompts = new Set(requests.filter((r) => completed.includes(owners.get(r.id) ?? '')).map((r) => JSON.stringify(r.messages)));
  return { run, completed, prompts };
}

async function expectNoCompletedPromptResent(runId: string, before: { completed: string[]; prompts: Set<string> }, afterRequest: number) {
  const later = (await stub.requests()).filter((r) => r.id > afterRequest);
  const resent = later.filter((r) => before.prompts.has(JSON.stringify(r.messages)));
  expect(resent.map((r) => r.prompt.slice(0, 80))).toEqual([]);
  // And no request after the kill was made on behalf of a node that had completed.
  const owners = attribute(later, await events(runId));
  const offenders = later.filter((r) => before.completed.includes(owners.get(r.id) ?? ''));
  expect(offenders.map((r) => owners.get(r.id))).toEqual([]);
}

async function lastRequestId(): Promise<number> {
  const requests = await stub.requests();
  return requests.length ? requests[requests.length - 1].id : 0;
}

async function expectFinished(runId: string) {
  const run = await show(runId);
  expect(run.status).toBe('completed');
  const fountain = await cli(['export', runId, '--format', 'fountain']);
  expect(parseFountain(fountain.stdout).sceneHeadings).toHaveLength(3);
}

function runIdOf(cliProcess: CliProcess): string {
  const match = /Run (\S+?):/.exec(cliProcess.stderr + cliProcess.stdout);
  if (!match) throw new Error(`no run id yet:\n${cliProcess.stderr}`);
  return match[1];
}

async function startRun(extra: string[]): Promise<{ cli: CliProcess; runId: string }> {
  const child = spawnCli(['run', pipelineFile, '--input', PREMISE, '--model', 'openai:stub-model', ...extra, ...db], { env });
  await child.waitFor(/Run \S+?:/);
  return { cli: child, runId: runIdOf(child) };
}

test('killed during a model call: resume finishes without re-sending completed prompts', async () => {
  const { cli: child, runId } = await startRun(['--auto-approve']);
  // Wait until a call after the logline's is in flight (a request without a reply yet), then kill.
  await child.waitFor(/^cast: started$/m);
  await until(async () => (await stub.requests()).some((r) => r.status === undefined && r.prompt.includes('Logline')), 'a call in flight');
  child.kill('SIGKILL');
  const killed = await child.exited;
  expect(killed.signal).toBe('SIGKILL');
  const afterKill = await lastRequestId();
  const before = await completedPromptsAtKill(runId, afterKill);
  // Killed mid-node: the logline is done, the node whose call was in flight is still marked running.
  expect(before.completed).toContain('logline');
  expect(Object.values(before.run.nodes).filter((n) => n.status === 'running')).toHaveLength(1);
  expect(before.prompts.size).toBeGreaterThanOrEqual(1);
  // Nothing drives it now: the run says so, and `show` tells the producer what to do.
  expect(before.run.status).toBe('running');
  expect((before.run as { interrupted?: boolean }).interrupted).toBe(true);
  expect((await cli(['show', runId])).stdout).toContain(`interrupted: no process is driving it; resume it with storyloom resume ${runId}`);

  const resumed = await cli(['resume', runId]);
  expect(resumed.stderr).toMatch(new RegExp(`Run ${runId} completed`));
  expect(resumed.code).toBe(0);
  await expectFinished(runId);
  await expectNoCompletedPromptResent(runId, before, afterKill);
});

test('killed between nodes: resume finishes without re-sending completed prompts', async () => {
  const { cli: child, runId } = await startRun(['--auto-approve']);
  await child.waitFor(/^beats: completed/m);
  child.kill('SIGKILL');
  await child.exited;
  const afterKill = await lastRequestId();
  const before = await completedPromptsAtKill(runId, afterKill);
  expect(before.completed).toEqual(expect.arrayContaining(['logline', 'cast', 'beats']));
  expect(before.prompts.size).toBeGreaterThanOrEqual(3);

  const resumed = await cli(['resume', runId]);
  expect(resumed.code).toBe(0);
  await expectFinished(runId);
  await expectNoCompletedPromptResent(runId, before, afterKill);
});

test('killed while waiting at an approval in a terminal: resume and approvals finish it, no completed prompt re-sent', async () => {
  // A real pseudo-terminal (util-linux `script`), so the CLI asks interactively and sits at the prompt.
  const command = [process.execPath, CLI_BIN, 'run', pipelineFile, '--input', PREMISE, '--model', 'openai:stub-model', ...db]
    .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const terminal = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...cliEnv(env), TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const session = new CliProcess(terminal);
  await session.waitFor(/Approval needed: cast/);
  await session.waitFor(/Approve, edit or reject\? \[a\/e\/r\/v\/l, then Enter\] ›/);
  const runId = runIdOf(session);
  expect(session.stdout).toMatch(/✔ logline/); // the live progress display
  process.kill(-terminal.pid!, 'SIGKILL'); // the whole terminal session, CLI included
  await session.exited;
  const afterKill = await lastRequestId();
  const before = await completedPromptsAtKill(runId, afterKill);
  expect(before.run.status).toBe('waiting');
  expect(before.completed).toEqual(expect.arrayContaining(['logline', 'cast']));

  const resumed = await cli(['resume', runId]);
  expect(resumed.code).toBe(3);
  expect(resumed.stdout.trim()).toBe(runId);
  expect(await lastRequestId()).toBe(afterKill); // the waiting run needed no model call
  const first = await cli(['approve', runId, 'cast']);
  expect(first.code).toBe(3);
  const second = await cli(['approve', runId, 'beats']);
  expect(second.code).toBe(0);
  await expectFinished(runId);
  await expectNoCompletedPromptResent(runId, before, afterKill);
});

test('a model server that is down fails the run (exit 1); resume completes it once the server is back', async () => {
  const down = await startStubProcess([]);
  const { port, url } = down;
  await down.stop();
  const downEnv = { OPENAI_BASE_URL: url, OPENAI_API_KEY: 'test-key' };
  const failed = await runCli(['run', pipelineFile, '--input', PREMISE, '--model', 'openai:stub-model', '--auto-approve', ...db], { env: downEnv });
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/Run \S+ failed: .*logline/);
  expect(failed.stderr).toMatch(/storyloom resume/);
  const runId = /Run (\S+) failed/.exec(failed.stderr)![1];
  expect((await show(runId)).status).toBe('failed');

  const back = await startStubProcess(['--port', String(port)]);
  try {
    const resumed = await runCli(['resume', runId, ...db], { env: downEnv });
    expect(resumed.code).toBe(0);
    await expectFinished(runId);
  } finally {
    await back.stop();
  }
});

test('a run driven by another process is followed, not driven twice; Ctrl-C leaves it resumable', async () => {
  await stub.setBehavior({ latencyMs: 1500 }); // slow calls, so that both processes meet mid-run
  const { cli: driver, runId } = await startRun(['--auto-approve']);
  await driver.waitFor(/^cast: started$/m);
  // `resume` while the first process still drives it: it follows that process's progress to the end.
  const follower = spawnCli(['resume', runId, ...db], { env });
  await follower.waitFor(/is being driven by another process/);
  // SIGINT to the driving process: it stops cleanly and says how to go on; the follower takes over.
  driver.kill('SIGINT');
  const stopped = await driver.exited;
  expect(stopped.code).toBe(130);
  expect(stopped.stderr).toMatch(new RegExp(`continue it with: storyloom resume ${runId}`));
  await stub.setBehavior({ latencyMs: 300 });
  const followed = await follower.exited;
  expect(followed.stderr).toMatch(new RegExp(`Run ${runId} completed`));
  expect(followed.code).toBe(0);
  await expectFinished(runId);
});
