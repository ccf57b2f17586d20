// Runs, approvals, exports, cancel/resume/rerun and the bounded run queue, over real HTTP.
import { Fountain } from 'fountain-js';
import type { RunView } from '@storyloom/engine/node';
import { readPdf } from '../../../../test/support/pdf';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'plain' }));
  await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'gated', approval: true }));
});
afterAll(() => server.stop());

async function startRun(body: Record<string, unknown>): Promise<string> {
  const { status, body: answer, headers } = await server.call('POST', '/api/runs', body);
  expect(status).toBe(202);
  expect(answer.status).toBe('queued');
  expect(headers.get('location')).toBe(`/api/runs/${answer.id}`);
  return answer.id;
}

describe('starting runs', () => {
  test('a saved pipeline runs to completion in the server and records the version it ran', async () => {
    const id = await startRun({ pipelineId: 'plain', inputs: { premise: PREMISE } });
    const run = await waitForRun(server, id, isStatus('completed', 'failed'));
    expect(run.status).toBe('completed');
    expect(run.pipelineId).toBe('plain');
    expect(run.version).toBe(1);
    expect(Object.values(run.nodes).every((node) => node.status === 'completed')).toBe(true);
    expect(run.inputs).toEqual({ premise: PREMISE, scenes: 3 });
  });

  test('an explicit older version runs that version', async () => {
    const current = (await server.call('GET', '/api/pipelines/plain')).body;
    const edited = { ...current.pipeline, inputs: { ...current.pipeline.inputs, scenes: { type: 'number', default: 2 } } };
    expect((await server.call('PUT', '/api/pipelines/plain', { baseVersion: current.version, pipeline: edited })).status).toBe(200);
    const older = await startRun({ pipelineId: 'plain', version: 1, inputs: { premise: PREMISE } });
    const latest = await startRun({ pipelineId: 'plain', inputs: { premise: PREMISE } });
    const [olderRun, latestRun] = await Promise.all([
      waitForRun(server, older, isStatus('completed', 'failed')),
      waitForRun(server, latest, isStatus('completed', 'failed')),
    ]);
    expect([olderRun.version, olderRun.inputs.scenes]).toEqual([1, 3]);
    expect([latestRun.version, latestRun.inputs.scenes]).toEqual([current.version + 1, 2]);
  });

  test('an inline pipeline runs with version null', async () => {
    const id = await startRun({ pipeline: screenplayPipeline({ id: 'inline-one' }), inputs: { premise: PREMISE } });
    const run = await waitForRun(server, id, isStatus('completed', 'failed'));
    expect(run).toEqual(expect.objectContaining({ status: 'completed', pipelineId: 'inline-one', version: null }));
  });

  test('autoApprove runs through approval checkpoints without waiting', async () => {
    const id = await startRun({ pipelineId: 'gated', inputs: { premise: PREMISE }, autoApprove: true });
    const run = await waitForRun(server, id, isStatus('completed', 'failed', 'waiting'));
    expect(run.status).toBe('completed');
    expect(run.pending).toEqual([]);
  });

  test('bad requests are rejected with 400/404 and store no run', async () => {
    const before = (await server.call('GET', '/api/runs')).body.length;
    const missingInput = await server.call('POST', '/api/runs', { pipelineId: 'plain', inputs: {} });
    expect(missingInput.status).toBe(400);
    expect(missingInput.body.error.code).toBe('invalid_input');
    expect(JSON.stringify(missingInput.body.error.details)).toContain('premise');

    const invalidInline = screenplayPipeline({ id: 'inline-bad' });
    invalidInline.nodes[0].type = 'loglin';
    const badPipeline = await server.call('POST', '/api/runs', { pipeline: invalidInline, inputs: { premise: PREMISE } });
    expect(badPipeline.status).toBe(400);
    expect(badPipeline.body.error.code).toBe('invalid_pipeline');
    expect(badPipeline.body.error.details.length).toBeGreaterThan(0);

    const both = await server.call('POST', '/api/runs', { pipelineId: 'plain', pipeline: screenplayPipeline(), inputs: { premise: PREMISE } });
    expect(both.status).toBe(400);
    const neither = await server.call('POST', '/api/runs', { inputs: { premise: PREMISE } });
    expect(neither.status).toBe(400);
    const badModel = await server.call('POST', '/api/runs', { pipelineId: 'plain', inputs: { premise: PREMISE }, model: 'gpt-9' });
    expect(badModel.status).toBe(400);

    const unknownPipeline = await server.call('POST', '/api/runs', { pipelineId: 'ghost', inputs: { premise: PREMISE } });
    expect(unknownPipeline.status).toBe(404);
    const unknownVersion = await server.call('POST', '/api/runs', { pipelineId: 'plain', version: 99, inputs: { premise: PREMISE } });
    expect(unknownVersion.status).toBe(404);

    expect((await server.call('GET', '/api/runs')).body.length).toBe(before);
  });

  test('unknown run ids are 404 on every run route', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/runs/run-nope'],
      ['GET', '/api/runs/run-nope/events'],
      ['GET', '/api/runs/run-nope/export?format=fountain'],
      ['POST', '/api/runs/run-nope/cancel'],
      ['POST', '/api/runs/run-nope/resume'],
      ['POST', '/api/runs/run-nope/rerun', { from: 'beats' }],
      ['POST', '/api/runs/run-nope/approvals/cast', { decision: 'approve' }],
    ];
    for (const [method, pathname, body] of routes) {
      const answer = await server.call(method, pathname, body);
      expect([pathname, answer.status, answer.body.error.code]).toEqual([pathname, 404, 'not_found']);
    }
  });

  test('runs can be listed by pipeline and status', async () => {
    const all: RunView[] = (await server.call('GET', '/api/runs')).body;
    const plain: RunView[] = (await server.call('GET', '/api/runs?pipelineId=plain')).body;
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((run) => run.pipelineId === 'plain')).toBe(true);
    expect(plain.length).toBeLessThan(all.length);
    const completed: RunView[] = (await server.call('GET', '/api/runs?status=completed')).body;
    expect(completed.every((run) => run.status === 'completed')).toBe(true);
  });
});

describe('approvals', () => {
  test('a node with candidates: the pending entry carries them; choose keeps one; a bad choice is 400 and changes nothing', async () => {
    const pipeline = screenplayPipeline({ id: 'choices', approval: true }) as { nodes: Array<{ id: string; candidates?: number }> };
    pipeline.nodes.find((node) => node.id === 'cast')!.candidates = 3;
    expect((await server.call('POST', '/api/pipelines', pipeline)).status).toBe(201);
    const id = await startRun({ pipelineId: 'choices', inputs: { premise: PREMISE } });
    const waiting = await waitForRun(server, id, isStatus('waiting', 'failed'));
    const [pending] = waiting.pending as Array<{ nodeId: string; draft: unknown; candidates: unknown[] }>;
    expect(pending.candidates).toHaveLength(3);
    for (const body of [{ decision: 'choose', candidate: 7 }, { decision: 'choose', candidate: -1 }, { decision: 'choose' }, { decision: 'choose', candidate: 1, output: { characters: 'x' } }]) {
      const refused = await server.call('POST', `/api/runs/${id}/approvals/cast`, body);
      expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400]);
    }
    expect((await server.call('GET', `/api/runs/${id}`)).body.pending).toHaveLength(1);
    const chosen = await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'choose', candidate: 1 });
    expect(chosen.status).toBe(200);
    const done = await waitForRun(server, id, isStatus('completed', 'failed'));
    expect(done.nodes.cast.output).toEqual(pending.candidates[1]);
  });

  test('a checkpoint waits; the inbox lists it; edit must fit; approve continues; a second decision is 409', async () => {
    const id = await startRun({ pipelineId: 'gated', inputs: { premise: PREMISE } });
    const waiting = await waitForRun(server, id, isStatus('waiting', 'failed'));
    expect(waiting.status).toBe('waiting');
    expect(waiting.pending.map((entry) => entry.nodeId)).toEqual(['cast']);

    const inbox = (await server.call('GET', '/api/approvals')).body;
    const entry = inbox.find((item: { runId: string }) => item.runId === id);
    expect(entry).toEqual(expect.objectContaining({ runId: id, pipelineId: 'gated', nodeId: 'cast', requestedAt: expect.any(String) }));
    expect(entry.draft).toEqual(waiting.pending[0].draft);

    const badEdit = await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'edit', output: { characters: 'nobody' } });
    expect(badEdit.status).toBe(400);
    const noFeedback = await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'reject' });
    expect(noFeedback.status).toBe(400);
    const unknownDecision = await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'maybe' });
    expect(unknownDecision.status).toBe(400);
    const unknownNode = await server.call('POST', `/api/runs/${id}/approvals/nobody`, { decision: 'approve' });
    expect(unknownNode.status).toBe(404);
    const notWaiting = await server.call('POST', `/api/runs/${id}/approvals/logline`, { decision: 'approve' });
    expect(notWaiting.status).toBe(409);
    expect((await server.call('GET', `/api/runs/${id}`)).body.pending).toHaveLength(1);

    const approved = await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    const second = await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'approve' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('conflict');

    const done = await waitForRun(server, id, isStatus('completed', 'failed'));
    expect(done.status).toBe('completed');
    expect((await server.call('GET', '/api/approvals')).body.some((item: { runId: string }) => item.runId === id)).toBe(false);
  });

  test('an edit replaces the output; reject re-runs the node with feedback and asks again', async () => {
    const id = await startRun({ pipelineId: 'gated', inputs: { premise: PREMISE } });
    const waiting = await waitForRun(server, id, isStatus('waiting'));
    const draft = waiting.pending[0].draft as { characters: Array<{ name: string }> };

    const rejected = await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'reject', feedback: 'Make the keeper older.' });
    expect(rejected.status).toBe(200);
    const askedAgain = await waitForRun(server, id, (run) => run.status === 'waiting' && run.pending.length === 1 && run.updatedAt !== waiting.updatedAt);
    expect(askedAgain.pending[0].nodeId).toBe('cast');

    const edited = structuredClone(askedAgain.pending[0].draft) as typeof draft;
    edited.characters[0].name = 'Marguerite Okonkwo';
    expect((await server.call('POST', `/api/runs/${id}/approvals/cast`, { decision: 'edit', output: edited })).status).toBe(200);
    const done = await waitForRun(server, id, isStatus('completed', 'failed'));
    expect(done.status).toBe('completed');
    expect((done.nodes.cast.output as typeof draft).characters[0].name).toBe('Marguerite Okonkwo');
  });
});

describe('exports', () => {
  let runId: string;
  beforeAll(async () => {
    runId = await startRun({ pipelineId: 'plain', inputs: { premise: PREMISE } });
    await waitForRun(server, runId, isStatus('completed'));
  });

  test.each([
    ['fountain', 'text/plain; charset=utf-8', /^attachment; filename="?[\w.-]+\.fountain"?$/],
    ['fdx', 'application/xml; charset=utf-8', /^attachment; filename="?[\w.-]+\.fdx"?$/],
    ['markdown', 'text/markdown; charset=utf-8', /^attachment; filename="?[\w.-]+\.md"?$/],
    ['json', 'application/json; charset=utf-8', /^attachment; filename="?[\w.-]+\.json"?$/],
  ])('%s has content type %s and an attachment filename', async (format, contentType, filename) => {
    const response = await server.request(`/api/runs/${runId}/export?format=${format}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(response.headers.get('content-disposition')).toMatch(filename);
    const text = await response.text();
    expect(text.length).toBeGreaterThan(100);
    if (format === 'json') {
      // The story as the run wrote it: the same title and the same dialogue the run view shows.
      const run = (await server.call('GET', `/api/runs/${runId}`)).body as RunView;
      const story = JSON.parse(text) as { format: string; title: string; memory: Record<string, unknown> };
      expect(story.format).toBe('storyloom/story@1');
      expect(story.title).toBe((run.nodes.logline.output as { title: string }).title);
      expect(story.memory.dialogue).toEqual(run.nodes.lines.output);
    }
    if (format === 'fdx') expect(text).toMatch(/<FinalDraft/);
  });

  test('the Fountain export parses with fountain-js into scenes and dialogue; fountain is the default', async () => {
    const response = await server.request(`/api/runs/${runId}/export`);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const parsed = new Fountain().parse(await response.text(), true);
    const types = new Set(parsed.tokens.map((token) => token.type));
    expect(types.has('scene_heading')).toBe(true);
    expect(types.has('character')).toBe(true);
    expect(types.has('dialogue')).toBe(true);
  });

  test('pdf is application/pdf bytes: a screenplay with its cues, on Letter or, asked, A4 with scene numbers', async () => {
    const response = await server.request(`/api/runs/${runId}/export?format=pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?[\w.-]+\.pdf"?$/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const letter = await readPdf(bytes);
    expect([letter.pages[0].width, letter.pages[0].height]).toEqual([8.5, 11]);
    const run = (await server.call('GET', `/api/runs/${runId}`)).body as RunView;
    const firstHeading = (run.nodes.lines.output as { scenes: Array<{ heading: string }> }).scenes[0].heading.toUpperCase();
    expect(letter.pages[1].items[0].text).toBe(firstHeading);
    // The offline writer wrote this run: the title page says the text is a placeholder.
    expect(letter.pages[0].items.map((item) => item.text).join(' ')).toMatch(/PLACEHOLDER: written by the offline writer/);

    const a4 = await server.request(`/api/runs/${runId}/export?format=pdf&paper=a4&sceneNumbers=true&contact=${encodeURIComponent('Ana Ruiz; ana@example.com')}`);
    expect(a4.status).toBe(200);
    const read = await readPdf(new Uint8Array(await a4.arrayBuffer()));
    expect(read.pages[0].width).toBeCloseTo(8.27, 2);
    expect(read.pages[0].items.map((item) => item.text)).toEqual(expect.arrayContaining(['Ana Ruiz', 'ana@example.com']));
    expect(read.pages[1].items.slice(0, 3).map((item) => item.text).sort()).toEqual(['1', '1', firstHeading].sort());
  });

  test('bad pdf options are 400 naming the parameter', async () => {
    for (const query of ['paper=legal', 'sceneNumbers=yes']) {
      const answer = await server.call('GET', `/api/runs/${runId}/export?format=pdf&${query}`);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body.error)).toContain(query.split('=')[0]);
    }
  });

  test('an unknown format is 400; a run with nothing to export yet is 409', async () => {
    expect((await server.call('GET', `/api/runs/${runId}/export?format=docx`)).status).toBe(400);
    const gated = await startRun({ pipelineId: 'gated', inputs: { premise: PREMISE } });
    await waitForRun(server, gated, isStatus('waiting'));
    const early = await server.call('GET', `/api/runs/${gated}/export?format=fountain`);
    expect(early.status).toBe(409);
    const earlyPdf = await server.call('GET', `/api/runs/${gated}/export?format=pdf`);
    expect(earlyPdf.status).toBe(409);
    expect(earlyPdf.body.error.message).toMatch(/nothing to export as pdf/);
    await server.call('POST', `/api/runs/${gated}/cancel`);
  });
});

describe('cancel, resume, rerun', () => {
  test('cancel stops a running run; a second cancel is 409; resume finishes it without redoing completed nodes', async () => {
    const slow = screenplayPipeline({ id: 'slow', latencyMs: 120 });
    const id = await startRun({ pipeline: slow, inputs: { premise: PREMISE } });
    const mid = await waitForRun(server, id, (run) => run.nodes.logline.status === 'completed');
    expect(mid.status).toBe('running');
    const cancelled = await server.call('POST', `/api/runs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    const stopped = await waitForRun(server, id, isStatus('cancelled'));
    expect(stopped.nodes.script.status).not.toBe('completed');
    expect((await server.call('POST', `/api/runs/${id}/cancel`)).status).toBe(409);

    // What finished before the cancel, by the log (the offline writer would write the same text again, so
    // equal outputs would prove nothing): no node that completed then starts again after the resume.
    const beforeResume = await server.storyloom.events(id);
    const completedBefore = new Set(beforeResume.filter((event) => event.type === 'node.completed').map((event) => event.nodeId));
    expect(completedBefore.has('logline')).toBe(true);
    const resumed = await server.call('POST', `/api/runs/${id}/resume`);
    expect(resumed.status).toBe(202);
    const done = await waitForRun(server, id, isStatus('completed', 'failed'));
    expect(done.status).toBe('completed');
    const afterResume = (await server.storyloom.events(id)).slice(beforeResume.length);
    const startedAgain = afterResume.filter((event) => event.type === 'node.started' && completedBefore.has(event.nodeId)).map((event) => event.nodeId);
    expect(startedAgain).toEqual([]);
    expect(afterResume.some((event) => event.type === 'node.started')).toBe(true);
    expect((await server.call('POST', `/api/runs/${id}/resume`)).status).toBe(409);
  });

  test('rerun from a node makes a new run that reuses upstream outputs', async () => {
    const parent = await startRun({ pipelineId: 'plain', inputs: { premise: PREMISE } });
    const parentRun = await waitForRun(server, parent, isStatus('completed'));
    const bad = await server.call('POST', `/api/runs/${parent}/rerun`, { from: 'nowhere' });
    // The run exists; the node it names does not: a bad request about that run, naming the node.
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining("names node 'nowhere', which is not in pipeline") });
    const schemaFail = await server.call('POST', `/api/runs/${parent}/rerun`, { start: 'beats' });
    expect(schemaFail.status).toBe(400);

    const rerun = await server.call('POST', `/api/runs/${parent}/rerun`, { from: 'beats' });
    expect(rerun.status).toBe(202);
    expect(rerun.body.id).not.toBe(parent);
    const child = await waitForRun(server, rerun.body.id, isStatus('completed', 'failed'));
    expect(child.status).toBe('completed');
    expect(child.parentRunId).toBe(parent);
    expect(child.nodes.logline.status).toBe('reused');
    expect(child.nodes.cast.status).toBe('reused');
    expect(child.nodes.logline.output).toEqual(parentRun.nodes.logline.output);
    expect(child.nodes.beats.status).toBe('completed');
  });
});

describe('the run queue', () => {
  test('STORYLOOM_CONCURRENCY bounds runs executing at once; the rest wait queued and start in order', async () => {
    const limited = await startTestServer({ env: { STORYLOOM_CONCURRENCY: '1' } });
    try {
      const pipeline = screenplayPipeline({ id: 'queued', latencyMs: 30 });
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        const { body } = await limited.call('POST', '/api/runs', { pipeline, inputs: { premise: `${PREMISE} #${index}` } });
        ids.push(body.id);
      }
      const startedAt = new Map<string, number>();
      let maxRunning = 0;
      for (;;) {
        const runs: RunView[] = await Promise.all(ids.map(async (id) => (await limited.call('GET', `/api/runs/${id}`)).body));
        const running = runs.filter((run) => run.status === 'running');
        maxRunning = Math.max(maxRunning, running.length);
        for (const run of runs) if (run.status !== 'queued' && !startedAt.has(run.id)) startedAt.set(run.id, startedAt.size);
        if (runs.every((run) => run.status === 'completed')) break;
        expect(runs.some((run) => run.status === 'failed')).toBe(false);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(maxRunning).toBe(1);
      expect(ids.map((id) => startedAt.get(id))).toEqual([0, 1, 2]);
    } finally {
      await limited.stop();
    }
  });
});
