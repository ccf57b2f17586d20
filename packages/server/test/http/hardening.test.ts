// Audit fixes at the HTTP edge, over real HTTP: client mistakes are 4xx (never 500), cross-site writes are
// refused, the OpenAI key only goes to its own endpoint, and model URLs are allow-listed on shared servers.
import http from 'node:http';
import util from 'node:util';
import zlib from 'node:zlib';
import { logErrorToConsole } from '../../src/http/options';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';
import { PREMISE, isStatus, screenplayPipeline, startTestServer, waitForRun, type TestServer } from './support';

/** A request exactly as written (fetch would re-encode the path), answering status and parsed JSON body. */
function rawRequest(
  server: TestServer,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = http.request({ host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One logline node: the smallest runnable pipeline (one model call). */
const oneNode = {
  format: 'storyloom/pipeline@1',
  id: 'one',
  name: 'One',
  inputs: { premise: { type: 'string', required: true } },
  nodes: [{ id: 'logline', type: 'logline' }],
  edges: [],
};

describe('client mistakes from Express libraries are 4xx', () => {
  let server: TestServer;
  const logged: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ overrides: { logError: (message) => logged.push(message) } });
  });
  afterAll(() => server.stop());
  // Each test's own requests, checked after it (a check of its own would pass vacuously when run alone).
  afterEach(() => {
    const failures = logged.splice(0);
    expect(failures).toEqual([]);
  });

  test.each(['/api/runs/%ff', '/api/pipelines/%ff', '/api/pipelines/%E0%A4%A', '/api/runs/%E0%A4%A/events'])('malformed percent-escape %s → 400', async (path) => {
    const { status, body } = await rawRequest(server, { path });
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: 'bad_path', message: expect.stringContaining('malformed percent-escape') });
  });

  test.each([
    ['gzip', Buffer.from('{}')],
    ['br', Buffer.from('{}')],
    ['deflate', Buffer.from('not deflated')],
  ])('a corrupt %s body → 400', async (encoding, payload) => {
    const { status, body } = await rawRequest(server, {
      method: 'POST',
      path: '/api/pipelines/validate',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
      body: payload,
    });
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: 'bad_request', message: expect.stringMatching(/^request body could not be decompressed \(Content-Encoding\): \S/) });
  });

  test('a well-formed gzip body is read; an unknown encoding is 415', async () => {
    const ok = await rawRequest(server, {
      method: 'POST',
      path: '/api/pipelines/validate',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: zlib.gzipSync(JSON.stringify(oneNode)),
    });
    expect(ok).toEqual({ status: 200, body: { valid: true, errors: [] } });
    const unknown = await rawRequest(server, {
      method: 'POST',
      path: '/api/pipelines/validate',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'zstd-ish' },
      body: '{}',
    });
    expect(unknown.status).toBe(415);
  });

  test.each([
    ['null', 'null'],
    ['3', 'number'],
    ['"text"', 'string'],
  ])('a body of %s → 400 "must be a JSON object"', async (text, kind) => {
    const { status, body } = await rawRequest(server, { method: 'POST', path: '/api/runs', headers: { 'Content-Type': 'application/json' }, body: text });
    expect(status).toBe(400);
    expect(body.error.message).toBe(`request body must be a JSON object, not ${kind}`);
    const array = await rawRequest(server, { method: 'POST', path: '/api/runs', headers: { 'Content-Type': 'application/json' }, body: '[]' });
    expect(array.body.error.message).toBe('request body must be a JSON object, not an array');
    const broken = await rawRequest(server, { method: 'POST', path: '/api/runs', headers: { 'Content-Type': 'application/json' }, body: '{nope' });
    expect(broken.body.error.message).toMatch(/^request body is not valid JSON/);
  });

  test('the default error log never uses request data as a format string', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      logErrorToConsole('GET /api/runs/%ff%s%d failed', new Error('boom'));
      expect(util.format(...(spy.mock.calls[0] as unknown[]))).toContain('GET /api/runs/%ff%s%d failed');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('large pipelines over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test('3000 logline nodes: POST /api/pipelines/validate answers a short list, one slot_conflict', async () => {
    const document = { ...oneNode, id: 'big', nodes: Array.from({ length: 3000 }, (_, i) => ({ id: `n${i}`, type: 'logline' })) };
    const { status, body } = await server.call('POST', '/api/pipelines/validate', document);
    expect(status).toBe(200);
    expect(body.valid).toBe(false);
    expect(body.errors).toEqual([expect.objectContaining({ code: 'slot_conflict', message: expect.stringContaining('3000 stages write the logline') })]);
    const saved = await server.call('POST', '/api/pipelines', document);
    expect(saved.status).toBe(400);
    expect(saved.body.error.message).toMatch(/^invalid pipeline \(1 problem\): 3000 stages write the logline/);
    const draft = await server.call('POST', '/api/pipelines?draft=true', { ...oneNode, id: 'Bad Id', name: 7 });
    expect(draft.status).toBe(400);
    expect(draft.body.error.message).toMatch(/^cannot be saved even as a draft \(2 problems\): [^;]+; [^;]+$/);
  });
});

describe('cross-site writes (CSRF)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { STORYLOOM_CORS_ORIGINS: 'http://editor.example:5173' } });
  });
  afterAll(() => server.stop());

  async function gatedRun(): Promise<string> {
    const { body } = await server.call('POST', '/api/runs', { pipeline: screenplayPipeline({ approval: true }), inputs: { premise: PREMISE } });
    await waitForRun(server, body.id, isStatus('waiting'));
    return body.id;
  }

  test('a form post from another site cannot cancel a run', async () => {
    const id = await gatedRun();
    const response = await server.request(`/api/runs/${id}/cancel`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
    });
    expect(response.status).toBe(403);
    expect((await response.json()).error).toEqual({ code: 'forbidden_origin', message: expect.stringContaining("'http://evil.example'") });
    expect((await server.call('GET', `/api/runs/${id}`)).body.status).toBe('waiting');

    const noOrigin = await server.request(`/api/runs/${id}/cancel`, { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(noOrigin.status).toBe(403);
    const nullOrigin = await server.request(`/api/pipelines/${'x'}`, { method: 'DELETE', headers: { Origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
    expect((await server.call('GET', `/api/runs/${id}`)).body.status).toBe('waiting');
  });

  test('same origin, listed origins and requests without Origin (curl, the CLI) still work; reads are not refused', async () => {
    const id = await gatedRun();
    const sameOrigin = await server.request(`/api/runs/${id}/approvals/cast`, {
      method: 'POST',
      json: { decision: 'approve' },
      headers: { Origin: server.url, 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(200);
    const listed = await server.request(`/api/pipelines/validate`, { method: 'POST', json: oneNode, headers: { Origin: 'http://editor.example:5173' } });
    expect(listed.status).toBe(200);
    const read = await server.request(`/api/runs/${id}`, { headers: { Origin: 'http://evil.example' } });
    expect(read.status).toBe(200);
    const other = await gatedRun();
    expect((await server.call('POST', `/api/runs/${other}/cancel`)).status).toBe(200);
  });
});

describe('query parameters on reads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test('unknown parameters (cache busters) are ignored by the events stream and lists; ?view=summary drops outputs', async () => {
    const { body: started } = await server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE } });
    await waitForRun(server, started.id, isStatus('completed'));
    const events = await server.request(`/api/runs/${started.id}/events?foo=1&_=123`);
    expect(events.status).toBe(200);
    expect(await events.text()).toContain('run.completed');

    const full = await server.call('GET', '/api/runs?_=1');
    expect(full.status).toBe(200);
    expect(full.body[0].nodes.logline.output).toEqual(expect.objectContaining({ logline: expect.any(String) }));
    const summary = await server.call('GET', '/api/runs?view=summary');
    expect(summary.status).toBe(200);
    expect(summary.body[0].nodes.logline).toEqual(expect.objectContaining({ status: 'completed' }));
    expect(summary.body[0].nodes.logline).not.toHaveProperty('output');
    expect((await server.call('GET', '/api/runs?view=tiny')).status).toBe(400);
  });
});

describe('models', () => {
  test('GET /api/models marks the default; ollama/openai available only when configured; no invented model lists', async () => {
    const plain = await startTestServer();
    try {
      const { body } = await plain.call('GET', '/api/models');
      expect(body.map((entry: any) => [entry.provider, entry.available, entry.default]).slice(0, 4)).toEqual([
        ['offline', true, true],
        ['openai', false, false],
        ['ollama', false, false],
        ['local', true, false], // in-process GGUF models; the files are listed when STORYLOOM_MODELS_DIR has some
      ]);
      expect(body[0].defaultModel).toBe('offline');
      expect(body[1].models).toBeUndefined();
    } finally {
      await plain.stop();
    }
    const configured = await startTestServer({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', STORYLOOM_MODEL: 'openai:qwen2.5' } });
    try {
      const { body } = await configured.call('GET', '/api/models');
      const openai = body.find((entry: any) => entry.provider === 'openai');
      expect(openai).toEqual(expect.objectContaining({ available: true, default: true, defaultModel: 'openai:qwen2.5', models: ['qwen2.5'] }));
      expect(body.find((entry: any) => entry.provider === 'offline').default).toBe(false);
    } finally {
      await configured.stop();
    }
  });

  test('POST /api/runs with an unconfigured provider is a 400 up front, as in the CLI; nothing is stored', async () => {
    const server = await startTestServer();
    try {
      const { status, body } = await server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: 'openai:gpt-4o-mini' });
      expect(status).toBe(400);
      expect(body.error.message).toMatch(/^model: openai is not configured: set OPENAI_API_KEY/);
      expect((await server.call('GET', '/api/runs')).body).toEqual([]);
    } finally {
      await server.stop();
    }
    const badDefault = await startTestServer({ env: { STORYLOOM_MODEL: 'gpt:4' } });
    try {
      const { status, body } = await badDefault.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE } });
      expect(status).toBe(400);
      expect(body.error.message).toMatch(/^STORYLOOM_MODEL: unknown model provider 'gpt'/);
    } finally {
      await badDefault.stop();
    }
  });
});

describe('the OpenAI key and model base URLs', () => {
  let own: OpenAIStub;
  let other: OpenAIStub;
  const SECRET = 'sk-env-secret-123';
  beforeAll(async () => {
    own = await startOpenAIStub();
    other = await startOpenAIStub();
  });
  afterAll(async () => {
    await own.close();
    await other.close();
  });
  beforeEach(() => {
    own.reset();
    other.reset();
  });

  const runWith = (server: TestServer, model: unknown) => server.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model });

  test('OPENAI_API_KEY goes to OPENAI_BASE_URL only; another baseUrl gets the placeholder', async () => {
    const server = await startTestServer({ env: { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: own.url } });
    try {
      const elsewhere = await runWith(server, { provider: 'openai', model: 'x', baseUrl: other.url });
      expect(elsewhere.status).toBe(202);
      await waitForRun(server, elsewhere.body.id, isStatus('completed', 'failed'));
      expect(other.requests.length).toBeGreaterThan(0);
      expect(other.requests.map((request) => request.authorization)).toEqual(other.requests.map(() => 'Bearer not-needed'));

      const home = await runWith(server, { provider: 'openai', model: 'x', baseUrl: `${own.url}/` });
      await waitForRun(server, home.body.id, isStatus('completed', 'failed'));
      const viaEnv = await runWith(server, 'openai:x');
      await waitForRun(server, viaEnv.body.id, isStatus('completed', 'failed'));
      expect(own.requests.length).toBeGreaterThanOrEqual(2);
      expect(new Set(own.requests.map((request) => request.authorization))).toEqual(new Set([`Bearer ${SECRET}`]));
      expect(other.requests.some((request) => request.authorization?.includes(SECRET))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  test('with STORYLOOM_API_KEYS a baseUrl outside the allow-list is a 400 naming STORYLOOM_MODEL_BASE_URLS; listed ones run', async () => {
    const env = { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: own.url, STORYLOOM_API_KEYS: 'team-key' };
    const shared = await startTestServer({ env });
    try {
      const refused = await shared.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: { provider: 'openai', baseUrl: other.url } }, 'team-key');
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain(`baseUrl '${other.url}' is not allowed`);
      expect(refused.body.error.message).toContain('STORYLOOM_MODEL_BASE_URLS');
      const inPipeline = { ...oneNode, nodes: [{ id: 'logline', type: 'logline', model: { provider: 'ollama', baseUrl: other.origin } }] };
      const refusedNode = await shared.call('POST', '/api/runs', { pipeline: inPipeline, inputs: { premise: PREMISE } }, 'team-key');
      expect(refusedNode.status).toBe(400);
      expect(refusedNode.body.error.message).toMatch(/^node 'logline': baseUrl/);
      const ownUrl = await shared.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: { provider: 'openai', baseUrl: own.url } }, 'team-key');
      expect(ownUrl.status).toBe(202);
      expect(other.requests).toEqual([]);
    } finally {
      await shared.stop();
    }
    const listed = await startTestServer({ env: { ...env, STORYLOOM_MODEL_BASE_URLS: `${other.url}/` } });
    try {
      const accepted = await listed.call('POST', '/api/runs', { pipeline: oneNode, inputs: { premise: PREMISE }, model: { provider: 'openai', baseUrl: other.url } }, 'team-key');
      expect(accepted.status).toBe(202);
      for (let tries = 0; other.requests.length === 0 && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(other.requests[0]?.authorization).toBe('Bearer not-needed');
    } finally {
      await listed.stop();
    }
  });
});
