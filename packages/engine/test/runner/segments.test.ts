// Nodes that share one graph step: which nodes form a segment (chains run in order, siblings side by side; never
// across a join or a gate, nothing in a run with a budget), and that a segment behaves like its nodes one by one:
// a rejection below a chain's start redraws only the rejected node, every node reports its own events, a branch
// beside a long chain is not held back by it, and a failing sibling fails the run only once the others have
// finished, whose work a resume keeps.
import { buildGraph } from '../../src/pipeline/graph';
import { planSegments } from '../../src/runner/segments';
import { promptPipeline, stubbedEngines, taskOf, typesOf } from './support/helpers';

function segmentsOf(edges: string[], options: { gates?: string[]; budgeted?: boolean; isolated?: string[] } = {}): string[] {
  const graph = buildGraph(promptPipeline(edges, { isolated: options.isolated }));
  const segments = planSegments(graph, (id) => options.gates?.includes(id) ?? false, options.budgeted ?? false);
  return segments.list.map(({ members, runs }) => members.join(runs === 'side-by-side' ? ' | ' : ' > '));
}

describe('runner: segments', () => {
  it('groups chains (in order) and siblings (side by side), and nothing else', () => {
    expect(segmentsOf(['a>b', 'b>c', 'c>d'])).toEqual(['a > b > c > d']);
    // A branch point ends a chain; each branch is a chain; a join starts one.
    expect(segmentsOf(['a>b', 'b>x1', 'b>y1', 'x1>x2', 'y1>y2', 'x2>j', 'y2>j', 'j>k'])).toEqual(['a > b', 'x1 > x2', 'y1 > y2', 'j > k']);
    // Siblings: the same parents and the same children; roots without children are siblings too.
    expect(segmentsOf(['root>l1', 'root>l2', 'root>l3', 'l1>join', 'l2>join', 'l3>join', 'root>other'], { isolated: ['s1', 's2'] })).toEqual([
      'root',
      'l1 | l2 | l3',
      'join',
      'other',
      's1 | s2',
    ]);
    // A gated node ends its chain (a decision re-enters right after it) and is never one of a group.
    expect(segmentsOf(['a>b', 'b>c', 'c>d'], { gates: ['b'] })).toEqual(['a > b', 'c > d']);
    expect(segmentsOf(['r>l1', 'r>l2', 'r>l3'], { gates: ['l2'] })).toEqual(['r', 'l1 | l3', 'l2']);
    // With a budget any node may stop to ask before its work: every node keeps a graph node of its own.
    expect(segmentsOf(['a>b', 'b>c', 'r>l1', 'r>l2'], { budgeted: true })).toEqual(['a', 'b', 'c', 'r', 'l1', 'l2']);
    const graph = buildGraph(promptPipeline(['a>b', 'b>c', 'c>d'], { isolated: ['solo'] }));
    const segments = planSegments(graph, (id) => id === 'c', false);
    expect(['a', 'b', 'c', 'd', 'solo'].map(segments.graphNodeOf)).toEqual(['n_a', 'n_a', 'n_a', 'n_d', 'n_solo']);
  });

  describe('in runs', () => {
    const harness = stubbedEngines({ latencyMs: 0 });

    it('a rejection below the start of a segment redraws only the rejected node, and the run goes on after it', async () => {
      const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
      const pipeline = promptPipeline(['a>b', 'b>c', 'c>d'], { approval: ['c'], model: 'openai:stub-model' });
      const run = await engine.startRun({ pipeline, inputs: { premise: 'a lighthouse that moves' } });

      const waiting = await engine.drive(run.id);
      expect(waiting.status).toBe('waiting');
      expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['a', 'b', 'c']);

      harness.stub.reset();
      await engine.decide(run.id, 'c', { decision: 'reject', feedback: 'Give the keeper a rival.' });
      const redrawn = await engine.drive(run.id);
      expect(redrawn.status).toBe('waiting');
      expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['c']);
      expect(harness.stub.requests[0].messages.map((m) => m.content).join('\n')).toContain('Give the keeper a rival.');

      harness.stub.reset();
      await engine.decide(run.id, 'c', { decision: 'approve' });
      const done = await engine.drive(run.id);
      expect(done.status).toBe('completed');
      expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['d']);
      const events = await engine.events(run.id);
      for (const id of ['a', 'b']) expect(typesOf(events, id)).toEqual(['node.started', 'node.completed']);
      expect(typesOf(events, 'c').filter((type) => type === 'node.started')).toHaveLength(2);
      expect(typesOf(events, 'd')).toEqual(['node.started', 'node.completed']);
      // Each node's output is what it wrote, read by the next one.
      expect(harness.stub.requests[0].prompt).toContain(String(done.nodes.c.output).slice(0, 30));
    });

    it('a failing sibling fails the run naming it once the others have finished; resume sends only its prompt again', async () => {
      const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url }, maxRetries: 0 });
      let broken = true;
      harness.stub.setBehavior({
        respond: async (request: { prompt: string }) => {
          if (taskOf(request.prompt) === 'l2' && broken) return { status: 400, body: { error: { message: 'l2 is malformed (stub)' } } };
          // The other siblings answer after l2 has failed: the step waits for them.
          await new Promise((resolve) => setTimeout(resolve, 150));
          return undefined;
        },
      });
      const pipeline = promptPipeline(['root>l1', 'root>l2', 'root>l3', 'l1>join', 'l2>join', 'l3>join'], { model: 'openai:stub-model' });
      const run = await engine.startRun({ pipeline, inputs: { premise: 'three witnesses' } });
      const failed = await engine.drive(run.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/'l2'/);
      expect([failed.nodes.l1.status, failed.nodes.l2.status, failed.nodes.l3.status, failed.nodes.join.status]).toEqual([
        'completed',
        'failed',
        'completed',
        'skipped',
      ]);
      const events = await engine.events(run.id);
      expect(events[events.length - 1].type).toBe('run.failed');

      broken = false;
      harness.stub.reset();
      await engine.resume(run.id);
      const done = await engine.drive(run.id);
      expect(done.status).toBe('completed');
      expect(harness.stub.requests.map((r) => taskOf(r.prompt))).toEqual(['l2', 'join']);
      expect(harness.stub.requests[1].prompt).toContain(String(done.nodes.l1.output).slice(0, 30));
    });

    it("a branch beside a long chain finishes its own chain without waiting for the other branch's steps", async () => {
      const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
      // The slow branch's first node answers late; the fast branch's three nodes need not wait for it (one graph
      // step per node would hold fast2 back until the step with slow1 had ended).
      harness.stub.setBehavior({
        respond: async (request: { prompt: string }) => {
          if (taskOf(request.prompt) === 'slow1') await new Promise((resolve) => setTimeout(resolve, 600));
          return undefined;
        },
      });
      const pipeline = promptPipeline(['root>fast1', 'fast1>fast2', 'fast2>fast3', 'root>slow1', 'slow1>slow2', 'fast3>end', 'slow2>end'], {
        model: 'openai:stub-model',
      });
      const run = await engine.startRun({ pipeline, inputs: { premise: 'two heists on one night' } });
      const done = await engine.drive(run.id);
      expect(done.status).toBe('completed');
      const completed = (await engine.events(run.id)).filter((e) => e.type === 'node.completed').map((e) => e.nodeId);
      expect(completed).toEqual(['root', 'fast1', 'fast2', 'fast3', 'slow1', 'slow2', 'end']);
    });
    it('siblings start over several turns: the first requests leave before the last siblings have begun, and all run at once', async () => {
      const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
      harness.stub.setBehavior({ latencyMs: 300 });
      const leaves = Array.from({ length: 16 }, (_, i) => `l${i}`);
      const pipeline = promptPipeline(
        leaves.map((leaf) => `${leaf}>join`),
        { model: 'openai:stub-model' },
      );
      const run = await engine.startRun({ pipeline, inputs: { premise: 'sixteen witnesses, one night' } });
      // How many requests the stub had received as each sibling's start was recorded.
      const requestsAtStart = new Map<string, number>();
      const unsubscribe = engine.subscribe(run.id, (event) => {
        if (event.type === 'node.started' && event.nodeId) requestsAtStart.set(event.nodeId, harness.stub.requests.length);
      });
      const started = Date.now();
      const done = await engine.drive(run.id);
      const tookMs = Date.now() - started;
      unsubscribe();
      expect(done.status).toBe('completed');
      expect([...requestsAtStart.keys()].filter((id) => leaves.includes(id))).toEqual(leaves);
      // Started all at once, every sibling would record its start before the first request went out.
      expect(requestsAtStart.get('l0')).toBe(0);
      expect(requestsAtStart.get('l15')).toBeGreaterThan(0);
      // Still side by side: the sixteen calls and the join's take about two calls' time, not seventeen.
      expect(tookMs).toBeLessThan(4 * 300);
    });
  });
});
