// Running pipelines offline on a real SQLite file: completion, parallel branches, joins, memory isolation,
// the event log, and live subscriptions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNodeType } from '../../src/nodes/catalogue';
import { validatePipeline } from '../../src/pipeline/validate';
import type { RunInputs } from '../../src/pipeline/schema';
import type { RunEvent } from '../../src/runner/types';
import { eventsOf } from '../../../../test/support/events';
import { PREMISE, screenplayPipeline } from './support/screenplay';
import { promptPipeline, slotOf, tempEngines, typesOf, type TempEngines } from './support/helpers';

const PIPELINES_DIR = join(__dirname, '../../../../pipelines');

function samplePremise(pipeline: { inputs?: Record<string, { type: string; required?: boolean; default?: unknown }> }): RunInputs {
  const inputs: RunInputs = {};
  for (const [name, definition] of Object.entries(pipeline.inputs ?? {})) {
    if (definition.default !== undefined || !definition.required) continue;
    inputs[name] = definition.type === 'number' ? 3 : definition.type === 'boolean' ? true : 'A lighthouse keeper finds a message in a bottle from her future self.';
  }
  return inputs;
}

describe('runner: executing pipelines', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  it('runs every shipped pipeline to completion offline, auto-approving', async () => {
    const files = readdirSync(PIPELINES_DIR).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const engine = await temp.open();
    for (const file of files) {
      const document = JSON.parse(readFileSync(join(PIPELINES_DIR, file), 'utf8'));
      const { pipeline } = validatePipeline(document);
      const started = await engine.startRun({ pipeline: pipeline!, inputs: samplePremise(pipeline!), autoApprove: true });
      expect(started.status).toBe('queued');
      const done = await engine.drive(started.id);
      expect({ file, status: done.status, error: done.error }).toEqual({ file, status: 'completed', error: undefined });
      for (const node of pipeline!.nodes) {
        expect({ node: node.id, status: done.nodes[node.id].status }).toEqual({ node: node.id, status: 'completed' });
        expect(done.nodes[node.id].output).toBeDefined();
      }
      const events = await engine.events(started.id);
      expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
      expect(events[0].type).toBe('run.started');
      expect(events[events.length - 1].type).toBe('run.completed');
      const completed = events.filter((event) => event.type === 'node.completed');
      expect(completed.every((event) => event.data.output !== undefined && event.data.usage !== undefined)).toBe(true);
    }
  });

  it('runs the example screenplay (review, export) with an approval and exports a Fountain script', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: screenplayPipeline({ approval: true }), inputs: { premise: PREMISE }, autoApprove: true });
    const done = await engine.drive(run.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('completed');
    const events = await engine.events(run.id);
    expect(typesOf(events, 'cast')).toEqual(['node.started', 'node.completed', 'approval.requested', 'approval.resolved']);
    const script = await engine.exportRun(run.id, 'fountain');
    expect(script.content).toMatch(/INT\.|EXT\./);
    expect((await engine.exportRun(run.id, 'json')).content.length).toBeGreaterThan(10);
  });

  it("lets a review revise its target: a new attempt of the target that downstream nodes read", async () => {
    const engine = await temp.open();
    const pipeline = screenplayPipeline();
    pipeline.nodes.find((node) => node.id === 'notes')!.config = { target: 'lines', threshold: 10, maxRevisions: 1 };
    // Asked for long scenes, the offline writer's short ones get a note each, and so one revision.
    pipeline.inputs = { ...pipeline.inputs, length: { type: 'string', default: 'long' } };
    const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    const events = await engine.events(run.id);
    const revision = events.filter((event) => event.nodeId === 'lines' && 'revision' in event.data && event.data.revision === true).map((event) => event.type);
    expect(revision).toEqual(['node.started', 'node.completed']);
    const linesCompleted = eventsOf(events, 'node.completed', 'lines');
    const revised = linesCompleted.find((event) => event.data.revision === true)!;
    expect(revised.data.attempt).toBe(2);
    expect(done.nodes.lines.output).toEqual(revised.data.output);
    // The export after the review reads the revised attempt: it holds text only the revision wrote, and none of
    // the text the revision replaced.
    const first = linesCompleted.find((event) => event.data.revision !== true)!;
    const textsOf = (output: unknown) =>
      new Set((output as { scenes: Array<{ elements: Array<{ text: string }> }> }).scenes.flatMap((scene) => scene.elements.map((element) => element.text)).filter((text) => text.length > 20));
    const before = textsOf(first.data.output);
    const after = textsOf(revised.data.output);
    const added = [...after].filter((text) => !before.has(text));
    // Replaced: text of the first attempt that no longer appears anywhere in the revision.
    const replaced = [...before].filter((text) => ![...after].some((kept) => kept.includes(text)));
    expect(added.length).toBeGreaterThan(0);
    expect(replaced.length).toBeGreaterThan(0);
    const script = (done.nodes.script.output as { content: string }).content.replace(/\s+/g, ' ');
    for (const text of added) expect(script).toContain(text.replace(/\s+/g, ' '));
    for (const text of replaced) expect(script).not.toContain(text.replace(/\s+/g, ' '));
  });

  it('runs independent branches at the same time and a join once after both parents', async () => {
    const engine = await temp.open();
    const pipeline = promptPipeline(['root>left', 'root>right', 'left>join', 'right>join'], { model: { provider: 'offline', latencyMs: 300 } });
    const run = await engine.startRun({ pipeline, inputs: { premise: 'two sisters' } });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    const events = await engine.events(run.id);
    const at = (type: string, nodeId: string) => Date.parse(events.find((event) => event.type === type && event.nodeId === nodeId)!.at);
    // Both branches start before either finishes: they overlap in time.
    expect(at('node.started', 'right')).toBeLessThan(at('node.completed', 'left'));
    expect(at('node.started', 'left')).toBeLessThan(at('node.completed', 'right'));
    expect(typesOf(events, 'join')).toEqual(['node.started', 'node.completed']);
    expect(at('node.started', 'join')).toBeGreaterThanOrEqual(Math.max(at('node.completed', 'left'), at('node.completed', 'right')));
    // The join's prompt saw both parents' outputs.
    expect(String(done.nodes.join.output)).toContain('Task join');
  });

  it("gives a node only its ancestors' slots, never a sibling branch's", async () => {
    const type = getNodeType('prompt')!;
    const seen: Record<string, string[]> = {};
    const original = type.run;
    const spy = jest.spyOn(type, 'run').mockImplementation(async (ctx) => {
      seen[ctx.nodeId] = Object.keys(ctx.memory).sort();
      return original(ctx);
    });
    try {
      const engine = await temp.open();
      const pipeline = promptPipeline(['root>left', 'root>right1', 'right1>right2']);
      const run = await engine.startRun({ pipeline, inputs: { premise: 'p' } });
      expect((await engine.drive(run.id)).status).toBe('completed');
      expect(seen.right2).toEqual([slotOf('right1'), slotOf('root')].sort());
      expect(seen.left).toEqual([slotOf('root')]);
      expect(seen.root).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('streams coalesced token events to a live subscriber without gaps or duplicates', async () => {
    const engine = await temp.open();
    const pipeline = promptPipeline(['a>b', 'b>c']);
    const run = await engine.startRun({ pipeline, inputs: { premise: 'a clockmaker' } });
    const received: RunEvent[] = [];
    const unsubscribe = engine.subscribe(run.id, (event) => received.push(event));
    await engine.drive(run.id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    unsubscribe();
    const stored = await engine.events(run.id);
    expect(received.map((event) => event.seq)).toEqual(stored.map((event) => event.seq));
    const tokens = stored.filter((event) => event.type === 'node.token');
    expect(tokens.length).toBeGreaterThan(0);
    // Tokens are gathered into chunks, so there are far fewer token events than characters written.
    const finished = (await engine.getRun(run.id))!;
    const written = ['a', 'b', 'c'].reduce((sum, id) => sum + String(finished.nodes[id].output).length, 0);
    expect(tokens.length).toBeLessThan(written / 4);
    expect(tokens.every((event) => typeof event.data.text === 'string')).toBe(true);
  });

  it('refuses a bad pipeline or missing input and stores nothing', async () => {
    const engine = await temp.open();
    const pipeline = promptPipeline(['a>b']);
    await expect(engine.startRun({ pipeline, inputs: {} })).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    const cyclic = { ...pipeline, edges: [...pipeline.edges, { source: 'b', target: 'a' }] };
    await expect(engine.startRun({ pipeline: cyclic, inputs: { premise: 'x' } })).rejects.toThrow(expect.objectContaining({ code: 'invalid_pipeline' }));
    expect(await engine.listRuns()).toEqual([]);
  });
});
