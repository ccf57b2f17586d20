// The same event log, read by the server, the CLI and the editor, gives the same run: the log the server
// streams (each event checked against the contract's schema) is folded by the engine's `foldRunEvent`, by the
// CLI's progress display and by the editor's run state, and all three agree with the run the API answers,
// at each stop of a run that is rejected, edited and approved.
import { foldRunEvents, newRunView, parseRunEvent, type RunEvent, type RunView } from '@storyloom/engine/node';
import { RunProgress } from '../../src/cli/progress/reporter';
import { watchedFromView, watchedRunAfter } from '../../../editor/src/store/runEvents';
import { collectEvents, type CollectedStream } from './sse-client';
import { PREMISE, screenplayPipeline, startTestServer, waitForRun, type TestServer } from './support';

/** What every reader can tell from events alone: run and node statuses, node outputs, who waits. */
function statusesOf(view: RunView) {
  return {
    status: view.status,
    nodes: Object.fromEntries(Object.entries(view.nodes).map(([id, state]) => [id, state.status])),
    pending: view.pending.map((approval) => approval.nodeId).sort(),
  };
}

function outputsOf(view: RunView): Record<string, unknown> {
  return Object.fromEntries(Object.entries(view.nodes).flatMap(([id, state]) => (state.output === undefined ? [] : [[id, state.output]])));
}

describe('one fold of the event log: server, CLI and editor agree', () => {
  let server: TestServer;
  let stream: CollectedStream | undefined;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    stream?.close();
    await server?.stop();
  });

  it('agrees at every stop of a run that is rejected, edited and approved', async () => {
    const pipeline = screenplayPipeline({ approval: true });
    pipeline.nodes.find((node) => node.id === 'beats')!.approval = true;
    const started = await server.call('POST', '/api/runs', { pipeline, inputs: { premise: PREMISE } });
    expect(started.status).toBe(202);
    const runId: string = started.body.id;
    stream = collectEvents(`${server.url}/api/runs/${runId}/events`);
    const current = stream;

    const first = await waitForRun(server, runId, (run) => run.status === 'waiting');
    const start = newRunView(first, Object.keys(first.nodes));

    const check = async (view: RunView) => {
      const last = (await server.storyloom.events(runId)).at(-1)!.seq;
      await current.until((event) => event.seq >= last);
      const events: RunEvent[] = current.events.filter((event) => event.seq <= last);
      expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
      for (const event of events) expect(parseRunEvent(event)).toEqual({ ok: true, event });

      const engine = foldRunEvents(start, events);
      const cli = new RunProgress();
      cli.reset(start);
      for (const event of events) cli.apply(event);
      let editor = watchedFromView(start);
      for (const event of events) editor = watchedRunAfter(editor, event);

      const expected = statusesOf(view);
      expect(statusesOf(engine)).toEqual(expected);
      expect(Object.fromEntries([...cli.nodes].map(([id, node]) => [id, node.status]))).toEqual(expected.nodes);
      expect({ status: editor.status, nodes: editor.nodeStatus, pending: editor.pending.map((p) => p.nodeId).sort() }).toEqual(expected);
      expect(outputsOf(engine)).toEqual(outputsOf(view));
      expect(editor.outputs).toEqual(outputsOf(view));
      for (const [id, node] of cli.nodes) expect({ id, usage: node.usage }).toEqual({ id, usage: view.nodes[id]!.usage });
    };

    expect(first.pending.map((p) => p.nodeId)).toEqual(['cast']);
    await check(first);

    let decided = await server.call('POST', `/api/runs/${runId}/approvals/cast`, { decision: 'reject', feedback: 'older, warier' });
    expect(decided.status).toBe(200);
    const redrafted = await waitForRun(server, runId, (run) => run.status === 'waiting' && run.pending.some((p) => p.nodeId === 'cast'));
    await check(redrafted);

    const edited = structuredClone(redrafted.pending[0]!.draft) as { characters: Array<{ want: string }> };
    edited.characters[0]!.want = 'To hear the sailors once more';
    decided = await server.call('POST', `/api/runs/${runId}/approvals/cast`, { decision: 'edit', output: edited });
    expect(decided.status).toBe(200);
    const atBeats = await waitForRun(server, runId, (run) => run.status === 'waiting' && run.pending.some((p) => p.nodeId === 'beats'));
    await check(atBeats);
    expect(atBeats.nodes.cast).toMatchObject({ status: 'completed', output: edited });

    decided = await server.call('POST', `/api/runs/${runId}/approvals/beats`, { decision: 'approve' });
    expect(decided.status).toBe(200);
    const done = await waitForRun(server, runId, (run) => run.status === 'completed');
    await check(done);
    expect(done.nodes.script!.status).toBe('completed');
  });
});
