// Review comments over real HTTP: threads on a waiting draft (whole, a scene, a field), replies, resolving,
// rejecting with the open comments as the feedback, and the run's review report.
import type { CommentThread, RunEvent, RunView } from '@storyloom/engine/node';
import { eventsOf } from '../../../../test/support/events';
import type { ErrorBody } from '../../src/http/errors';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from './support';

let server: TestServer;
let runId: string;
beforeAll(async () => {
  server = await startTestServer();
  const run = await server.call('POST', '/api/runs', { pipeline: screenplayPipeline({ id: 'gated', approval: true }), inputs: { premise: PREMISE } });
  runId = run.body.id;
  await waitForRun(server, runId, isStatus('waiting'));
});
afterAll(() => server.stop());

const comment = <T = CommentThread>(body: Record<string, unknown>) => server.call<T>('POST', `/api/runs/${runId}/comments`, body);

test('threads on a draft: whole, on a scene, on a field; replies; resolve and reopen; filters', async () => {
  const whole = await comment({ nodeId: 'cast', body: 'The cast is too alike.' });
  expect(whole.status).toBe(201);
  expect(whole.body).toMatchObject({ runId, nodeId: 'cast', attempt: 1, status: 'open', comments: [{ body: 'The cast is too alike.' }] });
  expect(whole.body).not.toHaveProperty('anchor');
  const field = await comment({ nodeId: 'cast', field: '/characters/0/name', body: 'Give her a surname.' });
  expect(field.body.anchor).toEqual({ field: '/characters/0/name' });
  const scene = await comment({ nodeId: 'beats', scene: 2, body: 'Scene 2 drags.' });
  expect(scene.body).toMatchObject({ anchor: { scene: 2 }, status: 'open' });

  const reply = await server.call<CommentThread>('POST', `/api/runs/${runId}/comments/${whole.body.id}/replies`, { body: 'Agreed: make one older.' });
  expect(reply.status).toBe(201);
  expect(reply.body.comments.map((c) => c.body)).toEqual(['The cast is too alike.', 'Agreed: make one older.']);

  const resolved = await server.call<CommentThread>('PUT', `/api/runs/${runId}/comments/${scene.body.id}/status`, { status: 'resolved' });
  expect(resolved.body).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
  const open = await server.call<CommentThread[]>('GET', `/api/runs/${runId}/comments?status=open`);
  expect(open.body.map((t) => t.id)).toEqual([whole.body.id, field.body.id]);
  const ofCast = await server.call<CommentThread[]>('GET', `/api/runs/${runId}/comments?nodeId=cast`);
  expect(ofCast.body).toHaveLength(2);
  const reopened = await server.call<CommentThread>('PUT', `/api/runs/${runId}/comments/${scene.body.id}/status`, { status: 'open' });
  expect(reopened.body.status).toBe('open');
  expect(reopened.body).not.toHaveProperty('resolvedAt');
  await server.call('PUT', `/api/runs/${runId}/comments/${scene.body.id}/status`, { status: 'resolved' });
});

test('bad comments are refused with a 4xx naming the problem, and store nothing', async () => {
  const before = (await server.call<CommentThread[]>('GET', `/api/runs/${runId}/comments`)).body.length;
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ nodeId: 'nope', body: 'x' }, 400, "has no node 'nope'"],
    [{ nodeId: 'cast', body: '   ' }, 400, 'request body does not match'],
    [{ nodeId: 'cast', body: 'x', scene: 0 }, 400, 'request body does not match'],
    [{ nodeId: 'cast', body: 'x', field: 'characters/0' }, 400, 'JSON pointer'],
    [{ nodeId: 'cast', body: 'x', colour: 'red' }, 400, 'request body does not match'],
  ];
  for (const [body, status, message] of cases) {
    const answer = await comment<ErrorBody>(body);
    expect([answer.status, answer.body.error.message]).toEqual([status, expect.stringContaining(message)]);
  }
  expect((await server.call('POST', '/api/runs/run-nope/comments', { nodeId: 'cast', body: 'x' })).status).toBe(404);
  expect((await server.call('POST', `/api/runs/${runId}/comments/thread-nope/replies`, { body: 'x' })).status).toBe(404);
  expect((await server.call('PUT', `/api/runs/${runId}/comments/thread-nope/status`, { status: 'resolved' })).status).toBe(404);
  expect((await server.call('PUT', `/api/runs/${runId}/comments/thread-nope/status`, { status: 'done' })).status).toBe(400);
  expect((await server.call('GET', `/api/runs/${runId}/comments?status=done`)).status).toBe(400);
  expect((await server.call<CommentThread[]>('GET', `/api/runs/${runId}/comments`)).body).toHaveLength(before);
});

test('reject with comments sends the open threads of the node as the feedback, resolves them, and the node redrafts', async () => {
  // Not waiting: refused, nothing resolved.
  const notWaiting = await server.call('POST', `/api/runs/${runId}/approvals/beats/reject-with-comments`, {});
  expect(notWaiting.status).toBe(400); // beats has no open comments left
  await comment({ nodeId: 'beats', body: 'Open on beats' });
  expect((await server.call('POST', `/api/runs/${runId}/approvals/beats/reject-with-comments`, {})).status).toBe(409);
  expect((await server.call<CommentThread[]>('GET', `/api/runs/${runId}/comments?nodeId=beats&status=open`)).body).toHaveLength(1);

  const answer = await server.call<{ run: RunView; threads: CommentThread[] }>('POST', `/api/runs/${runId}/approvals/cast/reject-with-comments`, {
    feedback: 'Overall: warmer.',
  });
  expect(answer.status).toBe(200);
  expect(answer.body.threads.map((t) => t.status)).toEqual(['resolved', 'resolved']);
  const rejected = eventsOf(await server.storyloom.events(runId), 'approval.resolved').find((event) => event.data.decision === 'reject');
  expect(rejected?.data.feedback).toBe(
    'Overall: warmer.\n- The cast is too alike. / Agreed: make one older.\n- (field /characters/0/name) Give her a surname.',
  );
  const redrafted = await waitForRun(server, runId, (run) => run.status === 'waiting' && run.pending.some((p) => p.nodeId === 'cast'));
  expect(redrafted.status).toBe('waiting');
  const again = await server.call('POST', `/api/runs/${runId}/approvals/cast/reject-with-comments`, {});
  expect(again.status).toBe(400);
  expect(again.body.error.message).toContain('no open comments');
  // A comment on the redraft records its attempt.
  expect((await comment({ nodeId: 'cast', body: 'Better.' })).body.attempt).toBe(2);
});

test('the review report lists the decisions and every thread by node', async () => {
  const response = await server.request(`/api/runs/${runId}/review-report`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/markdown');
  expect(response.headers.get('content-disposition')).toContain(`gated-${runId}-review.md`);
  const text = await response.text();
  expect(text).toContain(`# Review of run ${runId}`);
  expect(text).toMatch(/\*\*cast\*\* draft 1: reject by /);
  expect(text).toContain('> Overall: warmer.');
  expect(text).toContain('## Comments on cast');
  expect(text).toContain('### Field /characters/0/name — resolved');
  expect(text).toContain('### Scene 2 — resolved');
  expect(text).toContain('> Give her a surname.');
  expect(text.indexOf('## Comments on cast')).toBeLessThan(text.indexOf('## Comments on beats'));
  expect((await server.request('/api/runs/run-nope/review-report')).status).toBe(404);
});

describe('with users and roles', () => {
  const OWNER_KEY = 'owner-key-for-comment-tests';
  let shared: TestServer;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    shared = await startTestServer({ env: { STORYLOOM_API_KEYS: OWNER_KEY } });
    for (const [name, role] of [['ed', 'editor'], ['rita', 'reviewer'], ['vic', 'viewer']]) {
      tokens[role] = (await shared.call('POST', '/api/users', { name, role }, OWNER_KEY)).body.token;
    }
  }, 30_000);
  afterAll(() => shared.stop());

  test('comments record their author; a viewer may read but not comment; reject with comments is the assigned reviewer\'s and records them', async () => {
    const pipeline = screenplayPipeline({ id: 'assigned', approval: true });
    pipeline.nodes = pipeline.nodes.map((node) => (node.id === 'cast' ? { ...node, approval: { role: 'reviewer' } } : node));
    expect((await shared.call('POST', '/api/pipelines', pipeline, OWNER_KEY)).status).toBe(201);
    const started = await shared.call('POST', '/api/runs', { pipelineId: 'assigned', inputs: { premise: PREMISE } }, tokens.editor);
    const id = started.body.id as string;
    const deadline = Date.now() + 20_000;
    while ((await shared.call<RunView>('GET', `/api/runs/${id}`, undefined, OWNER_KEY)).body.status !== 'waiting' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const byRita = await shared.call<CommentThread>('POST', `/api/runs/${id}/comments`, { nodeId: 'cast', body: 'Older, please.' }, tokens.reviewer);
    expect(byRita.status).toBe(201);
    expect(byRita.body.comments[0].author).toMatchObject({ name: 'rita', role: 'reviewer' });
    expect((await shared.call('POST', `/api/runs/${id}/comments`, { nodeId: 'cast', body: 'x' }, tokens.viewer)).status).toBe(403);
    expect((await shared.call('POST', `/api/runs/${id}/comments`, { nodeId: 'cast', body: 'x' })).status).toBe(401);
    expect((await shared.call<CommentThread[]>('GET', `/api/runs/${id}/comments`, undefined, tokens.viewer)).body).toHaveLength(1);

    // The gate is the reviewers': an editor cannot reject it, with comments or otherwise, and nothing changes.
    const byEd = await shared.call('POST', `/api/runs/${id}/approvals/cast/reject-with-comments`, {}, tokens.editor);
    expect(byEd.status).toBe(403);
    expect((await shared.call<CommentThread[]>('GET', `/api/runs/${id}/comments?status=open`, undefined, OWNER_KEY)).body).toHaveLength(1);
    const rejected = await shared.call('POST', `/api/runs/${id}/approvals/cast/reject-with-comments`, {}, tokens.reviewer);
    expect(rejected.status).toBe(200);
    expect(rejected.body.threads[0]).toMatchObject({ status: 'resolved', resolvedBy: { name: 'rita' } });
    const events: RunEvent[] = await shared.storyloom.events(id);
    const decision = events.find((event) => event.type === 'approval.resolved');
    expect(decision).toMatchObject({ actor: { name: 'rita', role: 'reviewer' }, data: { decision: 'reject', feedback: '- Older, please.' } });
    const report = await (await shared.request(`/api/runs/${id}/review-report`, { key: OWNER_KEY })).text();
    expect(report).toContain('**cast** draft 1: reject by rita (reviewer)');
    expect(report).toContain('**rita (reviewer)**');
  });

  test('webhooks are the owners\'; on a server with accounts they go only to listed hosts', async () => {
    const body = { url: 'http://127.0.0.1:9/hook', events: ['run.completed'] };
    expect((await shared.call('POST', '/api/webhooks', body, tokens.editor)).status).toBe(403);
    expect((await shared.call('GET', '/api/webhooks', undefined, tokens.reviewer)).status).toBe(403);
    const refused = await shared.call('POST', '/api/webhooks', body, OWNER_KEY);
    expect([refused.status, refused.body.error.message]).toEqual([400, expect.stringContaining('STORYLOOM_WEBHOOK_HOSTS')]);
    // No API keys, but accounts: several people use it, so the same restriction holds.
    const accounts = await startTestServer();
    try {
      expect((await accounts.call('POST', '/api/webhooks', body)).status).toBe(201); // single user: anywhere
      const { token } = await accounts.storyloom.addUser('olga', 'owner');
      const asOwner = await accounts.call('POST', '/api/webhooks', body, token);
      expect([asOwner.status, asOwner.body.error.message]).toEqual([400, expect.stringContaining("webhooks may not be sent to '127.0.0.1:9'")]);
    } finally {
      await accounts.stop();
    }
  });
});
