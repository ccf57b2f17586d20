// Teams over real HTTP on 127.0.0.1, on SQLite and on PostgreSQL: every role against every class of route
// (401 without a valid token, 403 for what the role may not do, and a refused request changes nothing), gates
// assigned to a role or to named people, a separate reviewer, and the actors in events, run views, version
// history and the audit lists.
import type { Pipeline, RunView } from '@storyloom/engine/node';
import { collectEvents } from './sse-client';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { PREMISE, screenplayPipeline, startTestServer, type TestServer } from './support';

const OWNER_KEY = 'owner-key-for-tests';

let server: TestServer;
const tokens: Record<string, string> = {};

/** The screenplay with `cast` gated by `approval` (an assignment object). */
function gatedPipeline(id: string, approval: Pipeline['nodes'][number]['approval']): Pipeline {
  const pipeline = screenplayPipeline({ id, approval: true });
  return { ...pipeline, nodes: pipeline.nodes.map((node) => (node.id === 'cast' ? { ...node, approval } : node)) };
}

async function waitFor(runId: string, done: (run: RunView) => boolean): Promise<RunView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { body } = await server.call<RunView>('GET', `/api/runs/${runId}`, undefined, OWNER_KEY);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const waitingOn = (nodeId: string) => (run: RunView) => run.status === 'waiting' && run.pending.some((entry) => entry.nodeId === nodeId);

async function startRun(pipelineId: string, token: string): Promise<string> {
  const started = await server.call('POST', '/api/runs', { pipelineId, inputs: { premise: PREMISE } }, token);
  expect(started.status).toBe(202);
  return started.body.id;
}

/** Each store the server may keep everything in: the SQLite file, or a PostgreSQL database of the test's own. */
const STORES: Array<[string, () => Promise<TestDatabase | undefined>]> = [
  ['SQLite', async () => undefined],
  ['PostgreSQL', () => createTestDatabase()],
];

describe.each(STORES)('teams on %s', (_store, makeDatabase) => {
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await makeDatabase();
    server = await startTestServer({ env: { STORYLOOM_API_KEYS: OWNER_KEY }, databaseUrl: database?.url });
    for (const [name, role] of [
      ['olga', 'owner'],
      ['ed', 'editor'],
      ['rita', 'reviewer'],
      ['vic', 'viewer'],
    ]) {
      const added = await server.call('POST', '/api/users', { name, role }, OWNER_KEY);
      expect(added.status).toBe(201);
      expect(added.body.user).toMatchObject({ name, role });
      tokens[role] = added.body.token;
    }
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('who may do what', () => {
    type Probe = { route: string; run: (token: string | undefined) => Promise<number> };
    let waitingRun: string;
    const classes: Record<'read' | 'author' | 'decide' | 'administer', Probe[]> = {
      read: [],
      author: [],
      decide: [],
      administer: [],
    };
    const status = async (method: string, path: string, body: unknown, token: string | undefined) => (await server.call(method, path, body, token)).status;

    beforeAll(async () => {
      expect((await server.call('POST', '/api/pipelines', gatedPipeline('matrix', true), OWNER_KEY)).status).toBe(201);
      waitingRun = await startRun('matrix', OWNER_KEY);
      await waitFor(waitingRun, waitingOn('cast'));
      let fresh = 0;
      classes.read.push(
        { route: 'GET /api/pipelines', run: (t) => status('GET', '/api/pipelines', undefined, t) },
        { route: 'GET /api/runs/:id', run: (t) => status('GET', `/api/runs/${waitingRun}`, undefined, t) },
        { route: 'GET /api/approvals', run: (t) => status('GET', '/api/approvals', undefined, t) },
        { route: 'GET /api/runs/:id/audit', run: (t) => status('GET', `/api/runs/${waitingRun}/audit`, undefined, t) },
        { route: 'GET /api/pipelines/:id/audit', run: (t) => status('GET', '/api/pipelines/matrix/audit', undefined, t) },
        { route: 'GET /api/me', run: (t) => status('GET', '/api/me', undefined, t) },
        { route: 'POST /api/pipelines/validate', run: (t) => status('POST', '/api/pipelines/validate', screenplayPipeline(), t) },
      );
      classes.author.push(
        { route: 'POST /api/pipelines', run: (t) => status('POST', '/api/pipelines', screenplayPipeline({ id: `made-${(fresh += 1)}` }), t) },
        {
          route: 'PUT /api/pipelines/:id',
          run: async (t) => {
            const latest = (await server.call('GET', '/api/pipelines/matrix', undefined, OWNER_KEY)).body;
            const changed = { ...latest.pipeline, name: `Matrix ${(fresh += 1)}` };
            return status('PUT', '/api/pipelines/matrix', { baseVersion: latest.version, pipeline: changed }, t);
          },
        },
        { route: 'POST /api/runs', run: (t) => status('POST', '/api/runs', { pipelineId: 'matrix', inputs: { premise: PREMISE } }, t) },
        { route: 'POST /api/runs/:id/rerun', run: (t) => status('POST', `/api/runs/${waitingRun}/rerun`, { from: 'logline' }, t) },
        { route: 'DELETE /api/pipelines/:id', run: (t) => status('DELETE', '/api/pipelines/never-saved', undefined, t) },
      );
      classes.decide.push(
        {
          route: 'POST /api/runs/:id/approvals/:nodeId',
          // A node that is not waiting answers 409 to whoever may decide: the role check comes first.
          run: (t) => status('POST', `/api/runs/${waitingRun}/approvals/beats`, { decision: 'approve' }, t),
        },
        { route: 'POST /api/runs/:id/comments', run: (t) => status('POST', `/api/runs/${waitingRun}/comments`, { nodeId: 'cast', body: 'older?' }, t) },
      );
      classes.read.push({ route: 'GET /api/runs/:id/comments', run: (t) => status('GET', `/api/runs/${waitingRun}/comments`, undefined, t) });
      classes.administer.push(
        { route: 'GET /api/users', run: (t) => status('GET', '/api/users', undefined, t) },
        { route: 'GET /api/webhooks', run: (t) => status('GET', '/api/webhooks', undefined, t) },
        { route: 'POST /api/users', run: (t) => status('POST', '/api/users', { name: `temp-${(fresh += 1)}`, role: 'viewer' }, t) },
      );
    }, 30_000);

    const allowed: Record<string, Array<keyof typeof classes>> = {
      'owner key': ['read', 'author', 'decide', 'administer'],
      owner: ['read', 'author', 'decide', 'administer'],
      editor: ['read', 'author', 'decide'],
      reviewer: ['read', 'decide'],
      viewer: ['read'],
    };

    test.each(Object.keys(allowed))('%s: allowed route classes answer, the others 403', async (who) => {
      const token = who === 'owner key' ? OWNER_KEY : tokens[who];
      const seen: string[] = [];
      for (const [cls, probes] of Object.entries(classes)) {
        for (const probe of probes) {
          const code = await probe.run(token);
          const may = allowed[who].includes(cls as keyof typeof classes);
          seen.push(`${probe.route}: ${may ? (code !== 401 && code !== 403 ? 'ok' : code) : code}`);
        }
      }
      const expected = Object.entries(classes).flatMap(([cls, probes]) =>
        probes.map((probe) => `${probe.route}: ${allowed[who].includes(cls as keyof typeof classes) ? 'ok' : 403}`),
      );
      expect(seen).toEqual(expected);
    }, 60_000);

    test('without a token, or with a bad or revoked one, every class answers 401; health stays open', async () => {
      for (const token of [undefined, 'not-a-token']) {
        for (const probes of Object.values(classes)) for (const probe of probes) expect([probe.route, await probe.run(token)]).toEqual([probe.route, 401]);
      }
      expect((await server.call('GET', '/api/health')).status).toBe(200);
      const temp = await server.call('POST', '/api/users', { name: 'leaver', role: 'editor' }, OWNER_KEY);
      expect((await server.call('GET', '/api/me', undefined, temp.body.token)).body.actor.name).toBe('leaver');
      expect((await server.call('DELETE', '/api/users/leaver', undefined, tokens.owner)).status).toBe(200);
      const after = await server.call('GET', '/api/me', undefined, temp.body.token);
      expect(after.status).toBe(401);
      expect(after.body.error.message).toMatch(/not valid/);
    });

    test('a refused request changes nothing and says why', async () => {
      const refused = await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'by-viewer' }), tokens.viewer);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toEqual({ code: 'forbidden', message: 'vic is a viewer: only owners and editors change pipelines and runs' });
      expect((await server.call('GET', '/api/pipelines/by-viewer', undefined, OWNER_KEY)).status).toBe(404);
      const cancel = await server.call('POST', `/api/runs/${waitingRun}/cancel`, undefined, tokens.reviewer);
      expect(cancel.status).toBe(403);
      expect((await server.call('GET', `/api/runs/${waitingRun}`, undefined, OWNER_KEY)).body.status).toBe('waiting');
      const decide = await server.call('POST', `/api/runs/${waitingRun}/approvals/cast`, { decision: 'approve' }, tokens.viewer);
      expect(decide.status).toBe(403);
      expect((await server.call('GET', `/api/runs/${waitingRun}`, undefined, OWNER_KEY)).body.pending.map((p: { nodeId: string }) => p.nodeId)).toContain('cast');
      const users = await server.call('POST', '/api/users', { name: 'sneaky', role: 'owner' }, tokens.editor);
      expect(users.status).toBe(403);
      expect((await server.call('GET', '/api/users', undefined, OWNER_KEY)).body.map((u: { name: string }) => u.name)).not.toContain('sneaky');
    });

    test('/api/me says who you are and what you may do', async () => {
      const me = await server.call('GET', '/api/me', undefined, tokens.reviewer);
      expect(me.body).toEqual({
        actor: { id: expect.stringMatching(/^user-/), name: 'rita', role: 'reviewer' },
        permissions: { read: true, author: false, decide: true, administer: false },
        mode: 'shared',
      });
      expect((await server.call('GET', '/api/me', undefined, OWNER_KEY)).body.actor).toMatchObject({ role: 'owner', name: expect.stringMatching(/^owner key [0-9a-f]{8}$/) });
    });

    test('user names and roles are checked; a taken name is a conflict', async () => {
      expect((await server.call('POST', '/api/users', { name: 'bad name', role: 'editor' }, OWNER_KEY)).status).toBe(400);
      expect((await server.call('POST', '/api/users', { name: 'newbie', role: 'admin' }, OWNER_KEY)).status).toBe(400);
      expect((await server.call('POST', '/api/users', { name: 'ed', role: 'viewer' }, OWNER_KEY)).status).toBe(409);
      expect((await server.call('DELETE', '/api/users/nobody', undefined, OWNER_KEY)).status).toBe(404);
    });
  });

  describe('review assignments end to end', () => {
    test('an editor runs, a reviewer rejects, the node redrafts, the reviewer approves; actors in events, views and audit lists', async () => {
      const pipeline = gatedPipeline('assigned', { role: 'reviewer' });
      expect((await server.call('POST', '/api/pipelines', pipeline, tokens.editor)).status).toBe(201);
      const runId = await startRun('assigned', tokens.editor);
      const waiting = await waitFor(runId, waitingOn('cast'));
      expect(waiting.startedBy).toMatchObject({ name: 'ed', role: 'editor' });

      // The inbox: the reviewer's, not the editor's.
      const reviewerInbox = (await server.call('GET', '/api/approvals', undefined, tokens.reviewer)).body.filter((e: { runId: string }) => e.runId === runId);
      expect(reviewerInbox).toEqual([expect.objectContaining({ nodeId: 'cast', assignedTo: 'reviewers', mine: true, startedBy: expect.objectContaining({ name: 'ed' }) })]);
      const editorMine = (await server.call('GET', '/api/approvals?mine=true', undefined, tokens.editor)).body;
      expect(editorMine.filter((e: { runId: string }) => e.runId === runId)).toEqual([]);

      const notYours = await server.call('POST', `/api/runs/${runId}/approvals/cast`, { decision: 'approve' }, tokens.editor);
      expect(notYours.status).toBe(403);
      expect(notYours.body.error.message).toBe("'cast' is for reviewers to decide, not ed (editor)");

      const rejected = await server.call('POST', `/api/runs/${runId}/approvals/cast`, { decision: 'reject', feedback: 'older, warier' }, tokens.reviewer);
      expect(rejected.status).toBe(200);
      await waitFor(runId, (run) => waitingOn('cast')(run) && run.nodes.cast.status === 'waiting');
      const approved = await server.call('POST', `/api/runs/${runId}/approvals/cast`, { decision: 'approve' }, tokens.reviewer);
      expect(approved.status).toBe(200);
      const done = await waitFor(runId, (run) => run.status === 'completed' || run.status === 'failed');
      expect(done.status).toBe('completed');

      const stream = collectEvents(`${server.url}/api/runs/${runId}/events`, { headers: { Authorization: `Bearer ${tokens.viewer}` } });
      await stream.until((event) => event.type === 'run.completed');
      stream.close();
      expect(stream.events.find((event) => event.type === 'run.started')?.actor).toMatchObject({ name: 'ed', role: 'editor' });
      const resolved = stream.events.filter((event) => event.type === 'approval.resolved');
      expect(resolved.map((event) => [event.data.decision, event.actor?.name, (event.data.actor as { name: string }).name])).toEqual([
        ['reject', 'rita', 'rita'],
        ['approve', 'rita', 'rita'],
      ]);
      expect(stream.events.filter((event) => event.type === 'node.completed').every((event) => event.actor === undefined)).toBe(true);

      const audit = (await server.call('GET', `/api/runs/${runId}/audit`, undefined, tokens.viewer)).body;
      expect(audit.map((entry: { action: string; actor: { name: string }; detail: { decision?: string } }) => [entry.action, entry.actor.name, entry.detail.decision])).toEqual([
        ['run.started', 'ed', undefined],
        ['approval.decided', 'rita', 'reject'],
        ['approval.decided', 'rita', 'approve'],
      ]);
      const pipelineAudit = (await server.call('GET', '/api/pipelines/assigned/audit', undefined, tokens.viewer)).body;
      expect(pipelineAudit[0]).toMatchObject({ action: 'pipeline.created', actor: { name: 'ed' }, detail: { version: 1 } });
      expect(pipelineAudit).toHaveLength(4);
      const versions = (await server.call('GET', '/api/pipelines/assigned/versions', undefined, tokens.viewer)).body;
      expect(versions[0].savedBy).toMatchObject({ name: 'ed', role: 'editor' });
    }, 60_000);

    test('a gate for named users is theirs alone (and an owner’s); a separate reviewer cannot be the one who started the run', async () => {
      expect((await server.call('POST', '/api/pipelines', gatedPipeline('named', { users: ['ed'], separateReviewer: true }), OWNER_KEY)).status).toBe(201);
      const byEditor = await startRun('named', tokens.editor);
      await waitFor(byEditor, waitingOn('cast'));
      const byReviewer = await server.call('POST', `/api/runs/${byEditor}/approvals/cast`, { decision: 'approve' }, tokens.reviewer);
      expect(byReviewer.status).toBe(403);
      expect(byReviewer.body.error.message).toBe("'cast' is for ed to decide, not rita (reviewer)");
      const ownRun = await server.call('POST', `/api/runs/${byEditor}/approvals/cast`, { decision: 'approve' }, tokens.editor);
      expect(ownRun.status).toBe(403);
      expect(ownRun.body.error.message).toMatch(/needs a separate reviewer: ed started or edited this draft/);
      // Rejecting their own draft is allowed: it only asks for another.
      expect((await server.call('POST', `/api/runs/${byEditor}/approvals/cast`, { decision: 'reject', feedback: 'again' }, tokens.editor)).status).toBe(200);
      await waitFor(byEditor, (run) => waitingOn('cast')(run) && run.nodes.cast.status === 'waiting');

      const byOwner = await startRun('named', tokens.owner);
      await waitFor(byOwner, waitingOn('cast'));
      expect((await server.call('POST', `/api/runs/${byOwner}/approvals/cast`, { decision: 'approve' }, tokens.owner)).status).toBe(403);
      expect((await server.call('POST', `/api/runs/${byOwner}/approvals/cast`, { decision: 'approve' }, tokens.editor)).status).toBe(200);
      // An owner decides any gate, save one they started.
      expect((await server.call('POST', `/api/runs/${byEditor}/approvals/cast`, { decision: 'approve' }, OWNER_KEY)).status).toBe(200);
    }, 60_000);

    test('an assignment must name a role that decides', async () => {
      const invalid = await server.call('POST', '/api/pipelines/validate', gatedPipeline('bad-gate', { role: 'viewer' } as never), tokens.viewer);
      expect(invalid.body.valid).toBe(false);
      expect(invalid.body.errors[0].message).toMatch(/viewers cannot decide approvals/);
      const typo = await server.call('POST', '/api/pipelines/validate', gatedPipeline('bad-gate', { roles: 'reviewer' } as never), tokens.viewer);
      expect(typo.body.valid).toBe(false);
    });
  });
});
