// `storyloom users add|list|revoke` on the database a server shares: the token it prints once is what the
// server then asks for (within USERS_RECHECK_MS: the server does not look for users on every request);
// STORYLOOM_TOKEN makes the CLI act as that user (their role checked, their name recorded).
import { USERS_RECHECK_MS } from '@storyloom/engine/node';
import { PREMISE, screenplayPipeline, startTestServer, type TestServer } from '../packages/server/test/http/support';
import { runCli, runIdFrom, tempWorkspace, type TempWorkspace } from './support/cli';

let workspace: TempWorkspace;
let server: TestServer;
beforeEach(async () => {
  workspace = tempWorkspace('storyloom-users-');
  server = await startTestServer({ dir: workspace.dir });
});
afterEach(async () => {
  await server.stop();
  workspace.cleanup();
});

/** Scheduling slack on a busy machine, on top of the documented delay. */
const SLACK_MS = 500;

/** Asks GET /api/me (no token) until it answers `status`; returns how long that took. */
async function untilMeAnswers(status: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answered = (await server.call('GET', '/api/me')).status;
    if (answered === status) return Date.now() - started;
    if (Date.now() - started > USERS_RECHECK_MS + SLACK_MS) throw new Error(`GET /api/me still answers ${answered}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a single-user server does not look for users on every request; a user the CLI adds or revokes counts within USERS_RECHECK_MS', async () => {
  // The engine's users store, watched: each call is one query of the users table.
  const users = (server.storyloom as unknown as { stores: { users: { hasActive(): Promise<boolean> } } }).stores.users;
  const looks = jest.spyOn(users, 'hasActive');
  const started = Date.now();
  for (let i = 0; i < 40; i += 1) expect((await server.call('GET', '/api/pipelines')).status).toBe(200);
  const elapsed = Date.now() - started;
  expect(looks.mock.calls.length).toBeGreaterThanOrEqual(1);
  expect(looks.mock.calls.length).toBeLessThanOrEqual(1 + Math.floor(elapsed / USERS_RECHECK_MS));
  expect(elapsed).toBeLessThan(10 * USERS_RECHECK_MS); // else the bound above says little

  const added = await runCli(['users', 'add', 'ana', '--role', 'editor', '--db', server.dbPath]);
  expect(added.code).toBe(0);
  expect(await untilMeAnswers(401)).toBeLessThanOrEqual(USERS_RECHECK_MS + SLACK_MS);
  expect((await server.call('GET', '/api/me', undefined, added.stdout.trim())).body).toMatchObject({ mode: 'shared', actor: { name: 'ana' } });

  // With its only user revoked (by another process) it is a single-user server again, as after a restart.
  expect((await runCli(['users', 'revoke', 'ana', '--db', server.dbPath])).code).toBe(0);
  expect(await untilMeAnswers(200)).toBeLessThanOrEqual(USERS_RECHECK_MS + SLACK_MS);
  expect((await server.call('GET', '/api/me')).body).toMatchObject({ mode: 'single-user' });
});

test("a user added through the server's own API counts at once", async () => {
  expect((await server.call('GET', '/api/me')).body).toMatchObject({ mode: 'single-user' });
  const added = await server.call('POST', '/api/users', { name: 'olga', role: 'owner' });
  expect(added.status).toBe(201);
  expect((await server.call('GET', '/api/me')).status).toBe(401);
  expect((await server.call('DELETE', '/api/users/olga', undefined, added.body.token)).status).toBe(200);
  expect((await server.call('GET', '/api/me')).body).toMatchObject({ mode: 'single-user' });
});

test('a user added with the CLI turns the open server into one that asks for tokens; revoking one stops it working', async () => {
  expect((await server.call('GET', '/api/me')).body).toMatchObject({ mode: 'single-user', actor: { role: 'owner' } });

  const added = await runCli(['users', 'add', 'ana', '--role', 'reviewer', '--db', server.dbPath]);
  expect([added.code, added.stderr]).toEqual([0, expect.stringContaining('shown only this once')]);
  const token = added.stdout.trim();
  expect(token).toMatch(/^sl_[A-Za-z0-9_-]{40,}$/);

  await untilMeAnswers(401);
  expect((await server.call('GET', '/api/me', undefined, token)).body).toMatchObject({ mode: 'shared', actor: { name: 'ana', role: 'reviewer' } });

  const listed = await runCli(['users', 'list', '--json', '--db', server.dbPath]);
  expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'ana', role: 'reviewer' })]);
  expect(listed.stdout).not.toContain(token);

  const again = await runCli(['users', 'add', 'ana', '--role', 'editor', '--db', server.dbPath]);
  expect([again.code, again.stderr]).toEqual([2, expect.stringContaining("a user named 'ana' already exists")]);
  const badRole = await runCli(['users', 'add', 'bo', '--role', 'boss', '--db', server.dbPath]);
  expect([badRole.code, badRole.stderr]).toEqual([2, expect.stringContaining("unknown role 'boss'")]);
  expect(JSON.parse((await runCli(['users', 'list', '--json', '--db', server.dbPath])).stdout)).toHaveLength(1);

  // With another user left the server stays shared: ana's token is refused. (With none left it is a single-user
  // server again, open on loopback to anyone, token or not.)
  const bob = (await runCli(['users', 'add', 'bob', '--role', 'editor', '--db', server.dbPath])).stdout.trim();
  // Users make it a shared server as API keys do: a run may not send model calls to any URL it names.
  const elsewhere = 'http://127.0.0.1:9/v1';
  const oneNode = { format: 'storyloom/pipeline@1', id: 'one', name: 'One', inputs: { premise: { type: 'string', required: true } }, nodes: [{ id: 'logline', type: 'logline' }], edges: [] };
  const refused = await server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: { provider: 'openai', baseUrl: elsewhere } }, bob);
  expect([refused.status, refused.body.error.message]).toEqual([400, expect.stringContaining(`baseUrl '${elsewhere}' is not allowed`)]);
  const revoked = await runCli(['users', 'revoke', 'ana', '--db', server.dbPath]);
  expect(revoked.code).toBe(0);
  expect((await server.call('GET', '/api/me', undefined, token)).status).toBe(401);
  expect((await server.call('GET', '/api/me', undefined, bob)).body.actor.name).toBe('bob');
  expect((await runCli(['users', 'revoke', 'ana', '--db', server.dbPath])).code).toBe(2);
  const all = JSON.parse((await runCli(['users', 'list', '--json', '--db', server.dbPath])).stdout) as Array<{ name: string; revokedAt?: string }>;
  expect(all.map((user) => [user.name, user.revokedAt !== undefined])).toEqual([
    ['ana', true],
    ['bob', false],
  ]);
});

test('STORYLOOM_TOKEN: a reviewer may not start a run from the CLI but decides a gate, and is named in the run', async () => {
  const token = (await runCli(['users', 'add', 'rita', '--role', 'reviewer', '--db', server.dbPath])).stdout.trim();
  const file = workspace.file('gated.json', screenplayPipeline({ id: 'gated', approval: true }));

  const refused = await runCli(['run', file, '--input', `premise=${PREMISE}`, '--db', server.dbPath], { env: { STORYLOOM_TOKEN: token } });
  expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('rita is a reviewer and may not do this')]);
  const bogus = await runCli(['run', file, '--input', `premise=${PREMISE}`, '--db', server.dbPath], { env: { STORYLOOM_TOKEN: 'sl_nope' } });
  expect([bogus.code, bogus.stderr]).toEqual([2, expect.stringContaining('STORYLOOM_TOKEN is not a valid token')]);

  const started = await runCli(['run', file, '--input', `premise=${PREMISE}`, '--db', server.dbPath]);
  expect(started.code).toBe(3);
  const runId = runIdFrom(started);
  const approved = await runCli(['approve', runId, 'cast', '--db', server.dbPath], { env: { STORYLOOM_TOKEN: token } });
  expect([approved.code, approved.stderr]).toEqual([0, expect.any(String)]);

  const audit = (await server.call('GET', `/api/runs/${runId}/audit`, undefined, token)).body as Array<{ action: string; actor: { name: string; role: string } }>;
  expect(audit.map((entry) => [entry.action, entry.actor.role])).toEqual([
    ['run.started', 'owner'],
    ['approval.decided', 'reviewer'],
  ]);
  expect(audit[1].actor.name).toBe('rita');
  const shown = await runCli(['show', runId, '--db', server.dbPath]);
  expect(shown.stdout).toMatch(/started {3}by \S+ \(owner\)/);
});
