// System routes, error handling, limits, headers and the OpenAPI document, over real HTTP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validate } from '@readme/openapi-parser';
import { startServer } from '../../src/server';
import { screenplayPipeline, startTestServer, type TestServer } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('system routes', () => {
  test('health answers ok with the package version, the database and the queue', async () => {
    const { status, body } = await server.call('GET', '/api/health');
    expect(status).toBe(200);
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    expect(body).toEqual({ ok: true, version, database: { ok: true, kind: 'sqlite' }, queue: { ok: true, kind: 'in-process' } });
  });

  test('metrics are in the Prometheus format, with runs by status and the queue depth', async () => {
    expect((await server.call('POST', '/api/runs', { pipeline: screenplayPipeline(), inputs: { premise: 'A lighthouse keeper hears drowned sailors' } })).status).toBe(202);
    const response = await server.request('/api/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^storyloom_runs\{status="queued"\} \d+$/m);
    expect(text).toMatch(/^storyloom_queue_jobs\{state="active"\} \d+$/m);
    const total = [...text.matchAll(/^storyloom_runs\{status="\w+"\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(total).toBeGreaterThanOrEqual(1);
  });

  test('node-types lists the catalogue with JSON Schemas', async () => {
    const { status, body } = await server.call('GET', '/api/node-types');
    expect(status).toBe(200);
    const types = body.map((entry: { type: string }) => entry.type).sort();
    expect(types).toEqual(['characters', 'dialogue', 'export', 'logline', 'outline', 'prompt', 'prose', 'review', 'scenes', 'setting']);
    const outline = body.find((entry: { type: string }) => entry.type === 'outline');
    expect(outline.configSchema).toEqual(expect.objectContaining({ type: 'object' }));
    expect(outline.writes).toBe('outline');
  });

  test('models: offline always available, openai only when configured', async () => {
    const { body } = await server.call('GET', '/api/models');
    const offline = body.find((entry: { provider: string }) => entry.provider === 'offline');
    expect(offline.available).toBe(true);
    const openai = body.find((entry: { provider: string }) => entry.provider === 'openai');
    expect(openai?.available ?? false).toBe(false);
  });
});

describe('listening address', () => {
  test('startServer listens on 127.0.0.1 unless a host is given (the API is open without keys)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-host-'));
    const local = await startServer({ port: 0, dbPath: path.join(dir, 'storyloom.db'), env: {}, overrides: { editorDir: path.join(dir, 'no-editor') } });
    try {
      expect(new URL(local.url).hostname).toBe('127.0.0.1');
      expect((await fetch(`${local.url}/api/health`)).status).toBe(200);
    } finally {
      await local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('errors', () => {
  test('unknown /api route is a JSON 404', async () => {
    const { status, body } = await server.call('GET', '/api/nope');
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('/api/nope');
  });

  test('a path the API has, asked with a method it does not take, is a 405 naming the methods it takes', async () => {
    const wrongMethod = await server.request('/api/pipelines', { method: 'PATCH' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
    expect((await wrongMethod.json()).error).toEqual({ code: 'method_not_allowed', message: 'PATCH is not allowed on /api/pipelines; it takes GET, POST, HEAD' });

    // A path with parameters is matched by its shape; a query string does not change it.
    const onRun = await server.request('/api/runs/run-123/cancel?x=1', { method: 'GET' });
    expect(onRun.status).toBe(405);
    expect(onRun.headers.get('allow')).toBe('POST, OPTIONS');

    const options = await server.request('/api/pipelines/short-story', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, PUT, DELETE, HEAD, OPTIONS');

    // No route has this shape, whatever the method.
    const unknown = await server.request('/api/runs/run-123/nothing-here', { method: 'PATCH' });
    expect(unknown.status).toBe(404);
  });

  test('malformed JSON is a 400 bad_json, not a 500, and stores nothing', async () => {
    const response = await server.request('/api/pipelines', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"format": "storyloom/pipeline@1", "id": ',
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('bad_json');
    expect((await server.call('GET', '/api/pipelines')).body).toEqual([]);
  });

  test('a JSON scalar where an object is expected is a 400', async () => {
    const response = await server.request('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '42' });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('bad_json');
  });

  test('a body that is not JSON at all (wrong content type) is a 400 naming the problem', async () => {
    const response = await server.request('/api/runs', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/JSON body/);
  });

  test('a body failing its schema is a 400 listing every problem as { path, code, message }', async () => {
    const { status, body } = await server.call('POST', '/api/runs', { pipelineId: 7, inputs: { premise: ['x'] }, extra: true });
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    const paths = body.error.details.map((problem: { path: string }) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['/pipelineId', '/inputs/premise']));
    for (const problem of body.error.details) expect(problem).toEqual({ path: expect.any(String), code: expect.any(String), message: expect.any(String) });
    expect(body.error.details.some((problem: { code: string }) => problem.code === 'unrecognized_keys')).toBe(true);
  });

  test('a bad query parameter is a 400 pointing at the query', async () => {
    const { status, body } = await server.call('GET', '/api/runs?status=sleeping');
    expect(status).toBe(400);
    expect(body.error.details[0].path).toBe('/query/status');
  });

  test('a body over the limit is a 413 and stores nothing', async () => {
    const pipeline = screenplayPipeline({ id: 'too-big' });
    const big = { ...pipeline, description: 'x'.repeat(2 * 1024 * 1024 + 10) };
    const { status, body } = await server.call('POST', '/api/pipelines', big);
    expect(status).toBe(413);
    expect(body.error.code).toBe('body_too_large');
    expect((await server.call('GET', '/api/pipelines/too-big')).status).toBe(404);
  });

  test('STORYLOOM_BODY_LIMIT sets the limit', async () => {
    const small = await startTestServer({ env: { STORYLOOM_BODY_LIMIT: '1kb' } });
    try {
      const pipeline = { ...screenplayPipeline(), description: 'y'.repeat(2000) };
      expect((await small.call('POST', '/api/pipelines', pipeline)).status).toBe(413);
      expect((await small.call('POST', '/api/pipelines/validate', { format: 'storyloom/pipeline@1' })).status).toBe(200);
    } finally {
      await small.stop();
    }
  });
});

describe('headers', () => {
  test('helmet security headers with a CSP the editor build can run under', async () => {
    const response = await server.request('/api/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  test('CORS is closed by default: no allow-origin header, preflight without grants', async () => {
    const simple = await server.request('/api/health', { headers: { Origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await server.request('/api/pipelines', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  test('STORYLOOM_CORS_ORIGINS opens CORS for the listed origins only', async () => {
    const open = await startTestServer({ env: { STORYLOOM_CORS_ORIGINS: 'https://studio.example, http://localhost:5173' } });
    try {
      const allowed = await open.request('/api/pipelines', {
        method: 'OPTIONS',
        headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      const other = await open.request('/api/health', { headers: { Origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});

describe('editor', () => {
  test('without a build, / and deep links serve a page that says to run npm run build', async () => {
    for (const pathname of ['/', '/pipelines/some-id?x=1']) {
      const response = await server.request(pathname, { headers: { Accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toContain('npm run build');
    }
  });

  test('with a build, static files are served and non-/api paths fall back to index.html', async () => {
    const editorDir = path.join(server.dir, 'editor-dist');
    fs.mkdirSync(path.join(editorDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(editorDir, 'index.html'), '<!doctype html><div id="root"></div><script src="/assets/app.js"></script>');
    fs.writeFileSync(path.join(editorDir, 'assets/app.js'), 'console.log("editor")');
    const withEditor = await startTestServer({ overrides: { editorDir } });
    try {
      const asset = await withEditor.request('/assets/app.js');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      expect(await asset.text()).toContain('editor');
      const deep = await withEditor.request('/runs/abc', { headers: { Accept: 'text/html' } });
      expect(await deep.text()).toContain('<div id="root">');
      const api = await withEditor.request('/api/unknown', { headers: { Accept: 'text/html' } });
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toMatch(/application\/json/);
    } finally {
      await withEditor.stop();
    }
  });
});

describe('OpenAPI', () => {
  test('GET /api/openapi.json is a valid OpenAPI 3.1 document covering every route', async () => {
    const { status, body } = await server.call('GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(body));
    if (!result.valid) throw new Error(JSON.stringify(result.errors, null, 2));
    const operations = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${p}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /api/health',
        'GET /api/metrics',
        'GET /api/node-types',
        'GET /api/models',
        'GET /api/openapi.json',
        'POST /api/pipelines/validate',
        'GET /api/pipelines',
        'POST /api/pipelines',
        'GET /api/pipelines/{id}',
        'GET /api/pipelines/{id}/cost',
        'PUT /api/pipelines/{id}',
        'DELETE /api/pipelines/{id}',
        'GET /api/pipelines/{id}/versions',
        'GET /api/pipelines/{id}/versions/{version}',
        'POST /api/runs',
        'GET /api/runs',
        'GET /api/runs/{id}',
        'GET /api/runs/{id}/events',
        'POST /api/runs/{id}/approvals/{nodeId}',
        'POST /api/runs/{id}/cancel',
        'POST /api/runs/{id}/resume',
        'POST /api/runs/{id}/rerun',
        'GET /api/runs/{id}/export',
        'GET /api/approvals',
        'GET /api/me',
        'GET /api/users',
        'POST /api/users',
        'POST /api/users/{name}/tokens',
        'DELETE /api/users/{name}',
        'GET /api/pipelines/{id}/audit',
        'GET /api/runs/{id}/audit',
        'GET /api/runs/{id}/comments',
        'POST /api/runs/{id}/comments',
        'POST /api/runs/{id}/comments/{threadId}/replies',
        'PUT /api/runs/{id}/comments/{threadId}/status',
        'POST /api/runs/{id}/approvals/{nodeId}/reject-with-comments',
        'GET /api/runs/{id}/review-report',
        'POST /api/webhooks',
        'GET /api/webhooks',
        'GET /api/webhooks/{id}',
        'DELETE /api/webhooks/{id}',
        'GET /api/webhooks/{id}/deliveries',
      ].sort(),
    );
  });

  test('bodies, parameters and error answers are described from the zod schemas', async () => {
    const { body } = await server.call('GET', '/api/openapi.json');
    const startRun = body.paths['/api/runs'].post;
    const requestSchema = startRun.requestBody.content['application/json'].schema;
    expect(requestSchema.properties.pipeline.properties.format).toEqual(expect.objectContaining({ const: 'storyloom/pipeline@1' }));
    expect(requestSchema.additionalProperties).toBe(false);
    expect(Object.keys(startRun.responses).sort()).toEqual(['202', '400', '401', '403', '404', '413', '429', '500', '503']);
    expect(startRun.responses['400'].content['application/json'].schema.properties.error.required).toEqual(['code', 'message']);
    const listRuns = body.paths['/api/runs'].get;
    const statusParam = listRuns.parameters.find((parameter: { name: string }) => parameter.name === 'status');
    expect(statusParam).toEqual(expect.objectContaining({ in: 'query', required: false }));
    expect(statusParam.schema.enum).toEqual(['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled']);
    const exportRun = body.paths['/api/runs/{id}/export'].get;
    expect(Object.keys(exportRun.responses['200'].content)).toEqual(['text/plain', 'application/xml', 'text/markdown', 'application/json', 'application/pdf']);
    expect(body.paths['/api/health'].get.security).toEqual([]);
    expect(body.paths['/api/runs/{id}/events'].get.responses['200'].content['text/event-stream']).toBeDefined();
  });
});
