// The CLI and the server share one database: a run started by one is visible to, and decided in, the other.
import type { RunView } from '@storyloom/engine/node';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from '../packages/server/test/http/support';
import { runCli, runIdFrom, tempWorkspace, type TempWorkspace } from './support/cli';

let workspace: TempWorkspace;
let server: TestServer;
beforeEach(async () => {
  workspace = tempWorkspace('storyloom-shared-db-');
  server = await startTestServer({ dir: workspace.dir });
});
afterEach(async () => {
  await server.stop();
  workspace.cleanup();
});

test('a run the CLI left waiting shows in the server, is decided over HTTP and finished by the server', async () => {
  const file = workspace.file('gated.json', screenplayPipeline({ id: 'gated', approval: true }));
  const cli = await runCli(['run', file, '--input', `premise=${PREMISE}`, '--db', server.dbPath]);
  expect(cli.code).toBe(3);
  const runId = runIdFrom(cli);

  const { body: run } = await server.call<RunView>('GET', `/api/runs/${runId}`);
  expect(run.status).toBe('waiting');
  const inbox = (await server.call('GET', '/api/approvals')).body as Array<{ runId: string; nodeId: string }>;
  expect(inbox).toContainEqual(expect.objectContaining({ runId, nodeId: 'cast' }));

  expect((await server.call('POST', `/api/runs/${runId}/approvals/cast`, { decision: 'approve' })).status).toBe(200);
  const done = await waitForRun(server, runId, isStatus('completed', 'failed'));
  expect(done.status).toBe('completed');
});

test('a run started over HTTP is decided with the CLI, which finishes it; the server sees the result', async () => {
  const { body } = await server.call('POST', '/api/runs', { pipeline: screenplayPipeline({ id: 'gated', approval: true }), inputs: { premise: PREMISE } });
  await waitForRun(server, body.id, isStatus('waiting'));
  const cli = await runCli(['approve', body.id, 'cast', '--db', server.dbPath]);
  expect([cli.code, cli.stderr]).toEqual([0, expect.any(String)]);
  const second = await server.call('POST', `/api/runs/${body.id}/approvals/cast`, { decision: 'approve' });
  expect(second.status).toBe(409);
  const done = await waitForRun(server, body.id, isStatus('completed', 'failed'));
  expect(done.status).toBe('completed');
});
