// GET /api/runs/:id/events read by a real SSE client (`eventsource`), including reconnects with Last-Event-ID.
import type { RunEvent } from '@storyloom/engine/node';
import { collectEvents, eventsOfRawStream, readRawStream } from './sse-client';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ overrides: { sseHeartbeatMs: 100 } });
  await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'slow', latencyMs: 60 }));
  await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'gated', approval: true }));
});
afterAll(() => server.stop());

const isTerminal = (event: RunEvent) => ['run.completed', 'run.failed', 'run.cancelled'].includes(event.type);
const seqs = (events: RunEvent[]) => events.map((event) => event.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

async function startRun(pipelineId: string): Promise<string> {
  const { body } = await server.call('POST', '/api/runs', { pipelineId, inputs: { premise: PREMISE } });
  return body.id;
}

test('a live run streams every event once, in seq order, with id = seq, ending after run.completed', async () => {
  const runId = await startRun('slow');
  const stream = collectEvents(`${server.url}/api/runs/${runId}/events`);
  await stream.until(isTerminal);
  stream.close();
  const { events, ids } = stream;
  expect(seqs(events)).toEqual(range(1, events.length));
  expect(ids).toEqual(events.map((event) => String(event.seq)));
  expect(events[0].type).toBe('run.started');
  expect(events.at(-1)!.type).toBe('run.completed');
  expect(events.every((event) => event.runId === runId)).toBe(true);
  const completedNodes = events.filter((event) => event.type === 'node.completed').map((event) => event.nodeId);
  expect(new Set(completedNodes)).toEqual(new Set(['logline', 'cast', 'beats', 'lines', 'notes', 'script']));
  expect(events.some((event) => event.type === 'node.token')).toBe(true);
});

test('a finished run replays its whole log and the server ends the stream', async () => {
  const runId = await startRun('slow');
  await waitForRun(server, runId, isStatus('completed'));
  const { text, ended, response } = await readRawStream(`${server.url}/api/runs/${runId}/events`);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(response.headers.get('cache-control')).toMatch(/no-cache/);
  expect(ended).toBe(true);
  const events = eventsOfRawStream(text);
  expect(seqs(events)).toEqual(range(1, events.length));
  expect(events.at(-1)!.type).toBe('run.completed');
});

test('after a dropped connection the client reconnects with Last-Event-ID and gets exactly the rest', async () => {
  const runId = await startRun('slow');
  const stream = collectEvents(`${server.url}/api/runs/${runId}/events`, { dropFirstConnectionAfterEvents: 3 });
  await stream.until(isTerminal);
  stream.close();
  expect(stream.connections.length).toBe(2);
  expect(stream.connections[0]).toBeNull();
  const resumedAfter = Number(stream.connections[1]);
  expect(resumedAfter).toBeGreaterThanOrEqual(1);
  expect(seqs(stream.events)).toEqual(range(1, stream.events.length));
  expect(stream.events.at(-1)!.type).toBe('run.completed');
});

test('Last-Event-ID header and ?lastEventId= resume after that seq', async () => {
  const runId = await startRun('slow');
  await waitForRun(server, runId, isStatus('completed'));
  const full = eventsOfRawStream((await readRawStream(`${server.url}/api/runs/${runId}/events`)).text);
  const after = 5;
  const byHeader = collectEvents(`${server.url}/api/runs/${runId}/events`, { headers: { 'Last-Event-ID': String(after) } });
  await byHeader.until(isTerminal);
  byHeader.close();
  expect(byHeader.events).toEqual(full.slice(after));
  const byQuery = eventsOfRawStream((await readRawStream(`${server.url}/api/runs/${runId}/events?lastEventId=${after}`)).text);
  expect(byQuery).toEqual(full.slice(after));
  const badHeader = await server.request(`/api/runs/${runId}/events`, { headers: { 'Last-Event-ID': 'yesterday' } });
  expect(badHeader.status).toBe(400);
  expect((await badHeader.json()).error.code).toBe('invalid_request');
});

test('the stream stays open (with heartbeats) while the run waits, and ends after the decision completes it', async () => {
  const runId = await startRun('gated');
  const raw = readRawStream(`${server.url}/api/runs/${runId}/events`);
  await waitForRun(server, runId, isStatus('waiting'));
  // Several heartbeat intervals pass while the run waits; the stream must still be open afterwards.
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect((await server.call('POST', `/api/runs/${runId}/approvals/cast`, { decision: 'approve' })).status).toBe(200);
  const { text, ended } = await raw;
  expect(ended).toBe(true);
  const events = eventsOfRawStream(text);
  const types = events.map((event) => event.type);
  expect(types.indexOf('run.waiting')).toBeGreaterThan(-1);
  expect(types.indexOf('approval.resolved')).toBeGreaterThan(types.indexOf('run.waiting'));
  expect(types.at(-1)).toBe('run.completed');
  expect(seqs(events)).toEqual(range(1, events.length));
  const pings = text.split('\n').filter((line) => line === ': ping').length;
  expect(pings).toBeGreaterThanOrEqual(2);
});

test('a client that stops reading does not hold up the run', async () => {
  const runId = await startRun('slow');
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/runs/${runId}/events`, { signal: controller.signal });
  expect(response.status).toBe(200);
  // Never read the body: the server's writes must not wait for this client.
  const run = await waitForRun(server, runId, isStatus('completed', 'failed'));
  expect(run.status).toBe('completed');
  controller.abort();
});
