// The server as a real process (`storyloom serve`): killed with SIGKILL mid-run, its successor on the same
// database completes the run without redoing completed nodes; SIGTERM exits 0 and the run resumes on the next start.
import type { RunEvent, RunView } from '@storyloom/engine/node';
import { eventsOfRawStream, readRawStream } from '../packages/server/test/http/sse-client';
import { PREMISE, screenplayPipeline } from '../packages/server/test/http/support';
import { type CliProcess, spawnCli, tempWorkspace, type TempWorkspace } from './support/cli';

interface ServerProcess {
  process: CliProcess;
  url: string;
}

async function startServerProcess(workspace: TempWorkspace): Promise<ServerProcess> {
  const cli = spawnCli(['serve', '--port', '0', '--db', workspace.dbPath], { env: { STORYLOOM_CONCURRENCY: '2' } });
  await cli.waitFor(/Storyloom on http:\/\/localhost:\d+/);
  const port = /Storyloom on http:\/\/localhost:(\d+)/.exec(cli.stdout)![1];
  return { process: cli, url: `http://127.0.0.1:${port}` };
}

async function json<T>(url: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    ...init,
    headers: init?.json !== undefined ? { 'Content-Type': 'application/json' } : undefined,
    body: init?.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function pollRun(url: string, runId: string, done: (run: RunView) => boolean, timeoutMs = 30_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await json<RunView>(`${url}/api/runs/${runId}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} stuck at ${body.status}: ${JSON.stringify(body.nodes)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const completedNodes = (run: RunView) => Object.entries(run.nodes).filter(([, node]) => node.status === 'completed');

/** Every node.started, per node, over the run's whole event log. */
function startsPerNode(events: RunEvent[]): Map<string, number> {
  const starts = new Map<string, number>();
  for (const event of events) if (event.type === 'node.started') starts.set(event.nodeId!, (starts.get(event.nodeId!) ?? 0) + 1);
  return starts;
}

/** Starts a slow run (offline model, 250 ms per call) and returns once `beats` is done and the dialogue is in flight. */
async function startSlowRunAndWaitMidway(server: ServerProcess): Promise<{ runId: string; before: RunView }> {
  const pipeline = screenplayPipeline({ id: 'crash-test', latencyMs: 250, scenes: 4 });
  const started = await json<{ id: string }>(`${server.url}/api/runs`, { method: 'POST', json: { pipeline, inputs: { premise: PREMISE } } });
  expect(started.status).toBe(202);
  const before = await pollRun(server.url, started.body.id, (run) => run.nodes.beats.status === 'completed');
  expect(before.status).toBe('running');
  expect(before.nodes.script.status).not.toBe('completed');
  return { runId: started.body.id, before };
}

async function expectCompletedWithoutRedoing(url: string, runId: string, before: RunView): Promise<void> {
  const after = await pollRun(url, runId, (run) => run.status === 'completed' || run.status === 'failed');
  expect(after.status).toBe('completed');
  for (const [nodeId, node] of completedNodes(before)) expect(after.nodes[nodeId].output).toEqual(node.output);
  const { text, ended } = await readRawStream(`${url}/api/runs/${runId}/events`);
  expect(ended).toBe(true);
  const starts = startsPerNode(eventsOfRawStream(text));
  for (const [nodeId] of completedNodes(before)) expect([nodeId, starts.get(nodeId)]).toEqual([nodeId, 1]);
  expect(after.nodes.script.status).toBe('completed');
}

let workspace: TempWorkspace;
const running: CliProcess[] = [];
beforeEach(() => {
  workspace = tempWorkspace('storyloom-server-process-');
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill('SIGKILL');
    await cli.exited;
  }
  workspace.cleanup();
});

test('a server killed with SIGKILL mid-run: the next server on the same database completes the run', async () => {
  const first = await startServerProcess(workspace);
  running.push(first.process);
  const { runId, before } = await startSlowRunAndWaitMidway(first);
  first.process.kill('SIGKILL');
  const exit = await first.process.exited;
  expect(exit.signal).toBe('SIGKILL');

  const second = await startServerProcess(workspace);
  running.push(second.process);
  await expectCompletedWithoutRedoing(second.url, runId, before);
}, 60_000);

test('SIGTERM stops the server cleanly (exit 0) mid-run, and the run resumes on the next start', async () => {
  const first = await startServerProcess(workspace);
  running.push(first.process);
  const { runId, before } = await startSlowRunAndWaitMidway(first);
  const signalledAt = Date.now();
  first.process.kill('SIGTERM');
  const exit = await first.process.exited;
  expect(exit.code).toBe(0);
  // In-flight model calls are aborted rather than waited for.
  expect(Date.now() - signalledAt).toBeLessThan(5_000);

  const second = await startServerProcess(workspace);
  running.push(second.process);
  await expectCompletedWithoutRedoing(second.url, runId, before);
}, 60_000);
