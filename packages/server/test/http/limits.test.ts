// Security and limits at the HTTP edge, over real HTTP on 127.0.0.1: the DNS-rebinding guard (Host names an
// open server answers to), `*` CORS origins still refused for writes, API keys sent as ?access_token= kept out
// of logs, paging through GET /api/runs, and the bounds on queued runs and open event streams.
import http from 'node:http';
import type { RunView } from '@storyloom/engine/node';
import { bindHostEntry, hostNameOf } from '../../src/http/host-guard';
import { PREMISE, screenplayPipeline, startTestServer, type TestServer } from './support';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A request with headers exactly as given, `Host` included (fetch does not let a page or test choose it). */
function send(server: TestServer, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const slowPipeline = (id: string) => screenplayPipeline({ id, latencyMs: 30_000 });

describe('DNS rebinding: an open server answers only loopback and configured hosts', () => {
  let server: TestServer;
  let port: string;
  beforeAll(async () => {
    server = await startTestServer({ env: { STORYLOOM_ALLOWED_HOSTS: 'storyloom.lan, *.studio.example' } });
    port = new URL(server.url).port;
    await server.call('POST', '/api/pipelines', slowPipeline('kept'));
  });
  afterAll(() => server?.stop());

  test('a rebinding Host is refused with a clear 403, for the API, its writes and the editor pages', async () => {
    const read = await send(server, '/api/pipelines', { Host: `evil.example:${port}` });
    expect(read.status).toBe(403);
    expect(JSON.parse(read.text).error).toEqual({
      code: 'forbidden_host',
      message: expect.stringMatching(/answers only requests addressed to localhost or a configured host, not Host "evil\.example:\d+"; add the name to STORYLOOM_ALLOWED_HOSTS/),
    });
    expect(read.text).not.toContain('kept');

    // The rebinding page is same-origin with itself, so its Origin matches its Host: still refused, nothing stored.
    const before = (await server.call<RunView[]>('GET', '/api/runs')).body.length;
    const write = await send(
      server,
      '/api/runs',
      { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}`, 'Content-Type': 'application/json' },
      'POST',
      JSON.stringify({ pipelineId: 'kept', inputs: { premise: PREMISE } }),
    );
    expect(write.status).toBe(403);
    expect((await server.call<RunView[]>('GET', '/api/runs')).body.length).toBe(before);

    const page = await send(server, '/', { Host: 'evil.example' });
    expect(page.status).toBe(403);
    expect(page.headers['content-type']).toMatch(/^text\/plain/);
    expect(page.text).toMatch(/^Forbidden: this server has no API keys/);
  });

  test('loopback names and configured hosts are served', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `editor.localhost:${port}`, 'LOCALHOST.', 'storyloom.lan', `a.studio.example:${port}`]) {
      const answer = await send(server, '/api/pipelines', { Host: host });
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
    }
    for (const host of ['studio.example', 'storyloom.lan.evil.example', '127.0.0.1.evil.example', 'localhost.evil.example']) {
      expect({ host, status: (await send(server, '/api/pipelines', { Host: host })).status }).toEqual({ host, status: 403 });
    }
  });

  test('with API keys the key decides, whatever the Host', async () => {
    const keyed = await startTestServer({ env: { STORYLOOM_API_KEYS: 'k1' } });
    try {
      expect((await send(keyed, '/api/pipelines', { Host: 'storyloom.example.com' })).status).toBe(401);
      expect((await send(keyed, '/api/pipelines', { Host: 'storyloom.example.com', Authorization: 'Bearer k1' })).status).toBe(200);
    } finally {
      await keyed.stop();
    }
  });

  test('the address given to --host is a host answered to, unless it is a wildcard', () => {
    expect(bindHostEntry('192.168.1.20')).toEqual(['192.168.1.20']);
    expect(bindHostEntry('Storyloom.LAN')).toEqual(['storyloom.lan']);
    expect(bindHostEntry('fe80::1')).toEqual(['[fe80::1]']);
    expect(bindHostEntry('0.0.0.0')).toEqual([]);
    expect(bindHostEntry('::')).toEqual([]);
    expect(bindHostEntry(undefined)).toEqual([]);
    expect(hostNameOf('[FE80::1]:3000')).toBe('[fe80::1]');
    expect(hostNameOf('evil.example:80 x')).toBeUndefined();
  });
});

describe("STORYLOOM_CORS_ORIGINS='*'", () => {
  test('opens reads to every site but keeps cross-site writes refused', async () => {
    const server = await startTestServer({ env: { STORYLOOM_CORS_ORIGINS: '*' } });
    try {
      const read = await server.request('/api/pipelines', { headers: { Origin: 'http://evil.example' } });
      expect(read.status).toBe(200);
      expect(read.headers.get('access-control-allow-origin')).toBe('http://evil.example');

      const form = await server.request('/api/pipelines/validate', {
        method: 'POST',
        headers: { Origin: 'http://evil.example', 'Content-Type': 'text/plain' },
        body: '{}',
      });
      expect(form.status).toBe(403);
      expect((await form.json()).error.code).toBe('forbidden_origin');
      const save = await server.request('/api/pipelines', { method: 'POST', json: slowPipeline('planted'), headers: { Origin: 'http://evil.example' } });
      expect(save.status).toBe(403);
      expect((await server.call('GET', '/api/pipelines/planted')).status).toBe(404);
      const secFetch = await server.request('/api/pipelines', { method: 'POST', json: slowPipeline('planted'), headers: { 'Sec-Fetch-Site': 'cross-site' } });
      expect(secFetch.status).toBe(403);
    } finally {
      await server.stop();
    }
  });

  test('with API keys, a cross-origin write carrying a valid key passes (only a CORS-allowed page can send one)', async () => {
    const server = await startTestServer({ env: { STORYLOOM_CORS_ORIGINS: '*', STORYLOOM_API_KEYS: 'k1' } });
    try {
      const headers = { Origin: 'https://studio.example' };
      expect((await server.request('/api/pipelines', { method: 'POST', json: slowPipeline('p'), headers })).status).toBe(403);
      expect((await server.request('/api/pipelines', { method: 'POST', json: slowPipeline('p'), headers, key: 'wrong' })).status).toBe(401);
      expect((await server.request('/api/pipelines', { method: 'POST', json: slowPipeline('p'), headers, key: 'k1' })).status).toBe(201);
    } finally {
      await server.stop();
    }
  });
});

test('an API key sent as ?access_token= never reaches the error log', async () => {
  const server = await startTestServer({ env: { STORYLOOM_API_KEYS: 'key-that-must-not-leak' } });
  const logged: string[] = [];
  const console = jest.spyOn(global.console, 'error').mockImplementation((...parts: unknown[]) => {
    logged.push(parts.map(String).join(' '));
  });
  try {
    const { body } = await server.call('POST', '/api/runs', { pipeline: slowPipeline('leak'), inputs: { premise: PREMISE } }, 'key-that-must-not-leak');
    // A failure inside the route (a 500, which is logged) whose error text quotes the URL, as some do.
    jest.spyOn(server.storyloom, 'requireRun').mockImplementationOnce(() => {
      throw new Error(`database gone while reading /api/runs/${body.id}/events?lastEventId=0&access_token=key-that-must-not-leak`);
    });
    const answer = await server.request(`/api/runs/${body.id}/events?access_token=key-that-must-not-leak&lastEventId=0`);
    expect(answer.status).toBe(500);
    const log = logged.join('\n');
    expect(log).toContain(`GET /api/runs/${body.id}/events?access_token=[redacted]&lastEventId=0 failed`);
    expect(log).toContain('database gone');
    expect(log).not.toContain('key-that-must-not-leak');
  } finally {
    console.mockRestore();
    await server.stop();
  }
});

describe('GET /api/runs pages', () => {
  let server: TestServer;
  const started: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ env: { STORYLOOM_CONCURRENCY: '1' } });
    for (let index = 0; index < 7; index++) {
      const pipeline = slowPipeline(index % 2 === 0 ? 'even' : 'odd');
      started.push((await server.call('POST', '/api/runs', { pipeline, inputs: { premise: PREMISE } })).body.id);
    }
  });
  afterAll(() => server?.stop());

  /** Follows the `Link: rel="next"` header from `first` to the last page. */
  async function walk(first: string): Promise<{ pages: RunView[][]; cursors: Array<string | null> }> {
    const pages: RunView[][] = [];
    const cursors: Array<string | null> = [];
    let next: string | undefined = first;
    while (next !== undefined) {
      const response = await server.request(next);
      expect(response.status).toBe(200);
      pages.push((await response.json()) as RunView[]);
      cursors.push(response.headers.get('x-next-cursor'));
      next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
      expect(pages.length).toBeLessThan(20);
    }
    return { pages, cursors };
  }

  test('walks every run exactly once, newest first, in pages of `limit`', async () => {
    const { pages, cursors } = await walk('/api/runs?limit=3&view=summary');
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(cursors.slice(0, 2).every((cursor) => typeof cursor === 'string' && cursor.length > 0)).toBe(true);
    expect(cursors[2]).toBeNull();
    const ids = pages.flat().map((run) => run.id);
    expect(ids).toEqual([...started].reverse());
    const times = pages.flat().map((run) => run.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  test('filters and paging combine; the unpaged answer is the first page of the default size', async () => {
    const { pages } = await walk('/api/runs?pipelineId=even&limit=2');
    expect(pages.flat().map((run) => run.id)).toEqual(started.filter((_, index) => index % 2 === 0).reverse());
    const all = await server.request('/api/runs');
    expect(((await all.json()) as RunView[]).map((run) => run.id)).toEqual([...started].reverse());
    expect(all.headers.get('link')).toBeNull();
  });

  test('a bad cursor or limit is a 400 naming the problem', async () => {
    const cursor = await server.call('GET', '/api/runs?cursor=not-a-cursor');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.message).toMatch(/cursor 'not-a-cursor' is not one this server handed out/);
    for (const limit of ['0', '501', 'ten']) {
      const answer = await server.call('GET', `/api/runs?limit=${limit}`);
      expect({ limit, status: answer.status, path: answer.body.error.details?.[0]?.path }).toEqual({ limit, status: 400, path: '/query/limit' });
    }
  });
});

describe('bounds: queued runs and open event streams', () => {
  test('a full queue answers 429 with Retry-After and stores nothing', async () => {
    const server = await startTestServer({ env: { STORYLOOM_CONCURRENCY: '1', STORYLOOM_MAX_QUEUED: '1' } });
    try {
      const start = () => server.call('POST', '/api/runs', { pipeline: slowPipeline('busy'), inputs: { premise: PREMISE } });
      expect((await start()).status).toBe(202); // driven at once (sleeping in its first model call)
      expect((await start()).status).toBe(202); // queued behind it
      const refused = await start();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('10');
      expect(refused.body.error).toEqual({ code: 'queue_full', message: expect.stringMatching(/^1 runs are already queued \(STORYLOOM_MAX_QUEUED=1\)/) });
      expect((await server.call<RunView[]>('GET', '/api/runs')).body).toHaveLength(2);
    } finally {
      await server.stop();
    }
  });

  test('event streams beyond STORYLOOM_MAX_STREAMS answer 503 with Retry-After until one closes', async () => {
    const server = await startTestServer({ env: { STORYLOOM_MAX_STREAMS: '2' } });
    const open: AbortController[] = [];
    try {
      const { body } = await server.call('POST', '/api/runs', { pipeline: slowPipeline('watched'), inputs: { premise: PREMISE } });
      const follow = async () => {
        const controller = new AbortController();
        const response = await server.request(`/api/runs/${body.id}/events`, { signal: controller.signal });
        if (response.status === 200) open.push(controller);
        return response;
      };
      expect((await follow()).status).toBe(200);
      expect((await follow()).status).toBe(200);
      const refused = await follow();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect((await refused.json()).error).toEqual({ code: 'too_many_streams', message: expect.stringContaining('STORYLOOM_MAX_STREAMS=2') });

      open.shift()!.abort();
      const deadline = Date.now() + 10_000;
      let again = await follow();
      while (again.status === 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        again = await follow();
      }
      expect(again.status).toBe(200);
    } finally {
      for (const controller of open) controller.abort();
      await server.stop();
    }
  });
});
