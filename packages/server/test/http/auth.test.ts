// API keys (STORYLOOM_API_KEYS): every /api route but /api/health needs a Bearer key; SSE also takes ?access_token=.
import { createKeyChecker } from '../../src/http/auth';
import { eventsOfRawStream, readRawStream } from './sse-client';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer } from './support';

describe('with STORYLOOM_API_KEYS set', () => {
  let server: TestServer;
  const keys = ['first-key-123', 'second-key-456'];
  beforeAll(async () => {
    server = await startTestServer({ env: { STORYLOOM_API_KEYS: keys.join(',') } });
  });
  afterAll(() => server.stop());

  test('health and the editor stay open', async () => {
    expect((await server.call('GET', '/api/health')).status).toBe(200);
    expect((await server.request('/', { headers: { Accept: 'text/html' } })).status).toBe(200);
  });

  test.each([
    ['GET', '/api/node-types'],
    ['GET', '/api/models'],
    ['GET', '/api/openapi.json'],
    ['GET', '/api/pipelines'],
    ['POST', '/api/pipelines/validate'],
    ['GET', '/api/runs'],
    ['GET', '/api/approvals'],
    ['GET', '/api/runs/some-run/events'],
  ])('%s %s without a key is 401 with WWW-Authenticate', async (method, pathname) => {
    const answer = await server.call(method, pathname, method === 'POST' ? {} : undefined);
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  test('a wrong key is 401; either configured key works', async () => {
    expect((await server.call('GET', '/api/pipelines', undefined, 'first-key-12')).status).toBe(401);
    expect((await server.call('GET', '/api/pipelines', undefined, 'first-key-1234')).status).toBe(401);
    expect((await server.call('GET', '/api/pipelines', undefined, keys[0])).status).toBe(200);
    expect((await server.call('GET', '/api/pipelines', undefined, keys[1])).status).toBe(200);
    const basic = await server.request('/api/pipelines', { headers: { Authorization: `Basic ${keys[0]}` } });
    expect(basic.status).toBe(401);
  });

  test('auth is checked before the body is read: a bad body without a key is 401, and nothing is stored', async () => {
    const response = await server.request('/api/pipelines', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{oops' });
    expect(response.status).toBe(401);
    const created = await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'locked' }));
    expect(created.status).toBe(401);
    expect((await server.call('GET', '/api/pipelines', undefined, keys[0])).body).toEqual([]);
  });

  test('?access_token= works on the SSE route only', async () => {
    const started = await server.call('POST', '/api/runs', { pipeline: screenplayPipeline(), inputs: { premise: PREMISE } }, keys[0]);
    expect(started.status).toBe(202);
    const runId = started.body.id;
    const viaQuery = await readRawStream(`${server.url}/api/runs/${runId}/events?access_token=${keys[1]}`);
    expect(viaQuery.response.status).toBe(200);
    expect(eventsOfRawStream(viaQuery.text).at(-1)!.type).toBe('run.completed');
    expect((await server.call('GET', `/api/runs/${runId}?access_token=${keys[1]}`)).status).toBe(401);
    expect((await server.call('GET', `/api/runs/${runId}/events?access_token=nope`)).status).toBe(401);
    const run = await server.call('GET', `/api/runs/${runId}`, undefined, keys[0]);
    expect(isStatus('completed')(run.body)).toBe(true);
  });
});

test('without STORYLOOM_API_KEYS the API is open', async () => {
  const server = await startTestServer();
  try {
    expect((await server.call('GET', '/api/pipelines')).status).toBe(200);
  } finally {
    await server.stop();
  }
});

test('the key check matches exactly the configured keys', () => {
  const isKey = createKeyChecker(['alpha', 'beta']);
  expect(isKey('alpha')).toBe(true);
  expect(isKey('beta')).toBe(true);
  expect(isKey('alph')).toBe(false);
  expect(isKey('alphaa')).toBe(false);
  expect(isKey('')).toBe(false);
  expect(createKeyChecker([])('anything')).toBe(false);
});
