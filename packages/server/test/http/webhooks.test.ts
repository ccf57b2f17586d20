// Webhooks over real HTTP: a receiver on 127.0.0.1 checks each signature and answers 500 twice, then 200; the
// server retries with backoff, logs every try, keeps pending deliveries across a restart, and on a shared
// server sends only to allowed hosts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WebhookDelivery } from '@storyloom/engine/node';
import { createTestDatabase } from '../../../../test/support/postgres';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../test/support/webhook-receiver';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from './support';

const FAST = { STORYLOOM_WEBHOOK_RETRY_MS: '40', STORYLOOM_WEBHOOK_POLL_MS: '40' };
const SECRET = 'a-long-enough-shared-secret';

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in time; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const deliveriesOf = async (server: TestServer, hookId: string) => (await server.call<WebhookDelivery[]>('GET', `/api/webhooks/${hookId}/deliveries`)).body;

describe('webhooks', () => {
  let receiver: WebhookReceiver;
  let server: TestServer;
  beforeAll(async () => {
    receiver = await startWebhookReceiver([500, 500, 200]);
    receiver.secret = SECRET;
    server = await startTestServer({ env: FAST });
    await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'gated', approval: true }));
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  test('a signed delivery per event, retried after 500, 500 until the 200, with every try logged', async () => {
    const created = await server.call('POST', '/api/webhooks', { url: receiver.url, events: ['approval.requested', 'run.completed'], secret: SECRET });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: receiver.url, events: ['approval.requested', 'run.completed'], secret: SECRET });
    expect(created.headers.get('location')).toBe(`/api/webhooks/${created.body.id}`);
    const hookId = created.body.id as string;
    const listed = await server.call('GET', '/api/webhooks');
    expect(listed.body).toEqual([expect.objectContaining({ id: hookId })]);
    expect(listed.body[0]).not.toHaveProperty('secret');

    const run = await server.call('POST', '/api/runs', { pipelineId: 'gated', inputs: { premise: PREMISE } });
    await waitForRun(server, run.body.id, isStatus('waiting'));
    const [requested] = await waitFor('approval.requested delivered', () => deliveriesOf(server, hookId), (list) => list[0]?.status === 'delivered');
    expect(requested).toMatchObject({ event: 'approval.requested', runId: run.body.id, payload: { event: 'approval.requested', nodeId: 'cast', run: { id: run.body.id, pipelineId: 'gated' } } });
    expect(requested.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
    const tries = receiver.received.filter((got) => got.id === requested.id);
    expect(tries.map((got) => got.answered)).toEqual([500, 500, 200]);
    expect(tries.every((got) => got.signatureValid && got.event === 'approval.requested' && got.body === tries[0].body)).toBe(true);
    expect(JSON.parse(tries[0].body)).toEqual(requested.payload);
    // Backoff: the second wait is at least twice the first setting.
    const times = requested.attempts.map((attempt) => Date.parse(attempt.at));
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(40);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(80);

    expect((await server.call('POST', `/api/runs/${run.body.id}/approvals/cast`, { decision: 'approve' })).status).toBe(200);
    await waitForRun(server, run.body.id, isStatus('completed'));
    const list = await waitFor('run.completed delivered', () => deliveriesOf(server, hookId), (all) => all.length === 2 && all[0].status === 'delivered');
    expect(list.map((delivery) => delivery.event)).toEqual(['run.completed', 'approval.requested']);
    // A tampered body or another secret does not verify.
    const one = receiver.received.at(-1)!;
    receiver.secret = 'another-secret-entirely';
    const { verifyWebhookSignature, signWebhookBody } = await import('@storyloom/engine/node');
    expect(verifyWebhookSignature(SECRET, `${one.body} `, signWebhookBody(SECRET, one.body))).toBe(false);
    expect(verifyWebhookSignature('another-secret-entirely', one.body, signWebhookBody(SECRET, one.body))).toBe(false);
    receiver.secret = SECRET;

    expect((await server.call('DELETE', `/api/webhooks/${hookId}`)).status).toBe(204);
    expect((await server.call('GET', `/api/webhooks/${hookId}/deliveries`)).status).toBe(404);
    expect((await server.call('DELETE', `/api/webhooks/${hookId}`)).status).toBe(404);
  });

  test('gives up after the configured number of tries', async () => {
    const failing = await startWebhookReceiver([503]);
    const limited = await startTestServer({ env: { ...FAST, STORYLOOM_WEBHOOK_MAX_ATTEMPTS: '3' } });
    try {
      const hook = await limited.call('POST', '/api/webhooks', { url: failing.url, events: ['run.failed', 'run.completed'] });
      expect(hook.body.secret).toMatch(/^[0-9a-f]{64}$/);
      const run = await limited.call('POST', '/api/runs', { pipeline: screenplayPipeline({ id: 'plain' }), inputs: { premise: PREMISE } });
      await waitForRun(limited, run.body.id, isStatus('completed'));
      const [delivery] = await waitFor('given up', () => deliveriesOf(limited, hook.body.id), (list) => list[0]?.status === 'failed');
      expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 503]);
      expect(delivery).not.toHaveProperty('nextAttemptAt');
    } finally {
      await limited.stop();
      await failing.close();
    }
  });

  test('refuses bad hooks with a 400 naming the problem, and stores nothing', async () => {
    const bad = [
      [{ url: 'not a url', events: ['run.completed'] }, 'not an absolute URL'],
      [{ url: 'ftp://127.0.0.1/x', events: ['run.completed'] }, 'http or https'],
      [{ url: 'http://user:pw@127.0.0.1/x', events: ['run.completed'] }, 'user name or password'],
      [{ url: receiver.url, events: ['node.started'] }, "unknown event 'node.started'"],
      [{ url: receiver.url, events: ['run.completed'], secret: 'short' }, 'at least 16 characters'],
    ] as const;
    const before = (await server.call('GET', '/api/webhooks')).body.length;
    for (const [body, message] of bad) {
      const answer = await server.call('POST', '/api/webhooks', body);
      expect([answer.status, answer.body.error.message]).toEqual([400, expect.stringContaining(message)]);
    }
    expect((await server.call('POST', '/api/webhooks', { url: receiver.url, events: [] })).status).toBe(400);
    expect((await server.call('GET', '/api/webhooks')).body).toHaveLength(before);
  });
});

describe('webhooks on a shared server', () => {
  test('need the API key, and go only to hosts in STORYLOOM_WEBHOOK_HOSTS', async () => {
    const receiver = await startWebhookReceiver([200]);
    const shared = await startTestServer({ env: { ...FAST, STORYLOOM_API_KEYS: 'owner-key' } });
    const allowing = await startTestServer({ env: { ...FAST, STORYLOOM_API_KEYS: 'owner-key', STORYLOOM_WEBHOOK_HOSTS: `example.org, ${receiver.host}` } });
    try {
      const body = { url: receiver.url, events: ['run.completed'] };
      expect((await shared.call('POST', '/api/webhooks', body)).status).toBe(401);
      expect((await shared.call('GET', '/api/webhooks')).status).toBe(401);
      const refused = await shared.call('POST', '/api/webhooks', body, 'owner-key');
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain(`webhooks may not be sent to '${receiver.host}'`);
      expect(refused.body.error.message).toContain('STORYLOOM_WEBHOOK_HOSTS');
      expect((await allowing.call('POST', '/api/webhooks', body, 'owner-key')).status).toBe(201);
      const elsewhere = await allowing.call('POST', '/api/webhooks', { ...body, url: 'http://127.0.0.1:1/x' }, 'owner-key');
      expect(elsewhere.status).toBe(400);
    } finally {
      await shared.stop();
      await allowing.stop();
      await receiver.close();
    }
  });
});

describe.each([
  ['SQLite', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-webhooks-'));
    return { where: { dir }, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }],
  ['PostgreSQL', async () => {
    const database = await createTestDatabase();
    return { where: { databaseUrl: database.url }, drop: () => database.drop() };
  }],
])('pending deliveries (%s)', (_name, makeDatabase) => {
  test('recorded while no server sends them are sent by the next server on the same database', async () => {
    const receiver = await startWebhookReceiver([200]);
    receiver.secret = SECRET;
    const database = await makeDatabase();
    // This server looks at the outbox only at start: the delivery its run records stays pending when it stops.
    const first = await startTestServer({ ...database.where, env: { STORYLOOM_WEBHOOK_POLL_MS: '600000' } });
    let second: TestServer | undefined;
    try {
      const hook = await first.call('POST', '/api/webhooks', { url: receiver.url, events: ['run.completed'], secret: SECRET });
      const run = await first.call('POST', '/api/runs', { pipeline: screenplayPipeline({ id: 'plain' }), inputs: { premise: PREMISE } });
      await waitForRun(first, run.body.id, isStatus('completed'));
      expect((await deliveriesOf(first, hook.body.id)).map((delivery) => delivery.status)).toEqual(['pending']);
      await first.stop();
      expect(receiver.received).toEqual([]);
      second = await startTestServer({ ...database.where, env: FAST });
      const [delivery] = await waitFor('sent after the restart', () => deliveriesOf(second!, hook.body.id), (list) => list[0]?.status === 'delivered');
      expect(delivery.payload).toMatchObject({ event: 'run.completed', run: { id: run.body.id } });
      expect(receiver.received.map((got) => got.id)).toEqual([delivery.id]);
      expect(receiver.received[0].signatureValid).toBe(true);
    } finally {
      await second?.stop();
      await database.drop();
      await receiver.close();
    }
  });
});
