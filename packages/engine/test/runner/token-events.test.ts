// node.token events carry the model call's `label` (e.g. `scene-3`), so a display can keep a node's parallel
// calls apart; the runner's coalescer gathers tokens per label, so one chunk never mixes two calls.
import { TokenCoalescer } from '../../src/runner/token-coalescer';
import { tempEngines, type TempEngines } from './support/helpers';
import { PREMISE, screenplayPipeline } from './support/screenplay';

describe('TokenCoalescer', () => {
  const collect = (maxChars = 256, maxDelayMs = 50) => {
    const emitted: Array<{ text: string; label: string | undefined }> = [];
    const coalescer = new TokenCoalescer(async (text, label) => emitted.push({ text, label }), maxChars, maxDelayMs);
    return { coalescer, emitted };
  };

  it('keeps one buffer per label when calls interleave', async () => {
    const { coalescer, emitted } = collect();
    for (const [text, label] of [['A1 ', 'scene-1'], ['B1 ', 'scene-2'], ['A2', 'scene-1'], ['B2', 'scene-2'], ['x', undefined]] as const) {
      coalescer.push(text, label);
    }
    await coalescer.flush();
    expect(emitted).toEqual([
      { text: 'A1 A2', label: 'scene-1' },
      { text: 'B1 B2', label: 'scene-2' },
      { text: 'x', label: undefined },
    ]);
  });

  it('emits a label’s buffer when it reaches maxChars, leaving other labels buffered', async () => {
    const { coalescer, emitted } = collect(4);
    coalescer.push('ab', 'one');
    coalescer.push('zz', 'two');
    coalescer.push('cd', 'one');
    await new Promise((resolve) => setImmediate(resolve));
    expect(emitted).toEqual([{ text: 'abcd', label: 'one' }]);
    await coalescer.flush();
    expect(emitted).toEqual([
      { text: 'abcd', label: 'one' },
      { text: 'zz', label: 'two' },
    ]);
  });

  it('writes chunks one after another, so a slow database cannot reorder them', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const coalescer = new TokenCoalescer(
      async (text) => {
        started.push(text);
        await new Promise((resolve) => setTimeout(resolve, text === 'first' ? 30 : 1));
        finished.push(text);
      },
      5,
    );
    coalescer.push('first', undefined);
    coalescer.push('second', undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['first']); // the second waits for the first to be written
    await coalescer.flush();
    expect(finished).toEqual(['first', 'second']);
  });

  it('emits after maxDelayMs without a flush', async () => {
    const { coalescer, emitted } = collect(256, 10);
    coalescer.push('slow', 'scene-2');
    expect(emitted).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(emitted).toEqual([{ text: 'slow', label: 'scene-2' }]);
  });
});

describe('runner: node.token labels', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  it('labels each dialogue scene’s tokens with its call label, one unmixed stream per scene', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: screenplayPipeline({ scenes: 3 }), inputs: { premise: PREMISE } });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');

    const tokens = (await engine.events(run.id)).filter((event) => event.type === 'node.token' && event.nodeId === 'lines');
    expect(tokens.length).toBeGreaterThan(0);
    const textByLabel = new Map<string, string>();
    for (const event of tokens) {
      const { text, label } = event.data as { text: string; label?: string };
      expect(label).toMatch(/^scene-\d+$/);
      textByLabel.set(label!, (textByLabel.get(label!) ?? '') + text);
    }
    const scenes = (done.nodes.lines.output as { scenes: Array<{ number: number; heading: string }> }).scenes;
    expect([...textByLabel.keys()].sort()).toEqual(scenes.map((scene) => `scene-${scene.number}`).sort());
    // Each label's stream is that scene's whole reply: it opens with the scene's own heading.
    for (const scene of scenes) {
      const streamed = textByLabel.get(`scene-${scene.number}`)!;
      expect(streamed.startsWith(`${scene.heading}\n`)).toBe(true);
      for (const other of scenes.filter((candidate) => candidate.heading !== scene.heading)) {
        expect(streamed).not.toContain(`${other.heading}\n`);
      }
    }
  });
});

describe('runner: token events in order with lifecycle events', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  it('a reviewer’s rubric tokens come before its target’s revision starts, and every node’s tokens sit inside its run', async () => {
    const engine = await temp.open();
    const pipeline = screenplayPipeline({ scenes: 2 });
    // A reviewer nothing satisfies: it reads, sends the dialogue back once, and reads again.
    const review = pipeline.nodes.find((node) => node.type === 'review')!;
    review.config = { ...review.config, threshold: 10, maxRevisions: 1 };
    // Asked for long scenes, the offline writer's short ones get a note each, and so the one revision.
    pipeline.inputs = { ...pipeline.inputs, length: { type: 'string', default: 'long' } };
    const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    expect((done.nodes[review.id].output as { revisions: number }).revisions).toBe(1);

    const events = await engine.events(run.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
    const target = (review.config as { target: string }).target;
    const revisionStart = events.findIndex((e) => e.type === 'node.started' && e.nodeId === target && (e.data as { revision?: boolean }).revision);
    expect(revisionStart).toBeGreaterThan(0);
    const rubricTokens = events.filter((e) => e.type === 'node.token' && e.nodeId === review.id);
    const firstRubric = rubricTokens.filter((e) => (e.data as { label?: string }).label === 'rubric');
    expect(firstRubric.length).toBeGreaterThan(0);
    for (const token of firstRubric) expect(token.seq).toBeLessThan(events[revisionStart].seq);

    // Between a node's node.started and its next lifecycle event, and only there, come its tokens.
    const lifecycle = new Set(['node.started', 'node.completed', 'node.failed', 'approval.requested']);
    const open = new Map<string, boolean>();
    for (const event of events) {
      if (!event.nodeId) continue;
      if (event.type === 'node.started') open.set(event.nodeId, true);
      else if (event.type === 'node.token') expect({ node: event.nodeId, open: open.get(event.nodeId) ?? false }).toEqual({ node: event.nodeId, open: true });
      else if (lifecycle.has(event.type)) open.set(event.nodeId, false);
    }
  });
});
