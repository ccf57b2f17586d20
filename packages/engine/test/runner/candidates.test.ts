// Candidates: a node with `candidates: n` writes n alternatives; at its approval the pending entry carries them and
// `choose` keeps one (edited or not); without an approval the checks pick one and all stay readable in the run.
import type { Pipeline } from '../../src/pipeline/schema';
import { CastSchema, DialogueSchema } from '../../src/story/types';
import { isStoryloomError } from '../../src/errors';
import { screenplayPipeline, PREMISE } from './support/screenplay';
import { promptPipeline, stubbedEngines, tempEngines, type TempEngines } from './support/helpers';

function withCandidates(pipeline: Pipeline, nodeId: string, candidates: number, approval = false): Pipeline {
  return { ...pipeline, nodes: pipeline.nodes.map((node) => (node.id === nodeId ? { ...node, candidates, approval } : node)) };
}

describe('candidates (offline)', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  test('at an approval the pending entry carries every candidate; choose keeps one and the run goes on with it', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: withCandidates(screenplayPipeline(), 'cast', 3, true), inputs: { premise: PREMISE } });
    const waiting = await engine.drive(run.id);
    expect(waiting.status).toBe('waiting');
    const [pending] = waiting.pending;
    expect(pending.nodeId).toBe('cast');
    expect(pending.candidates).toHaveLength(3);
    const casts = pending.candidates!.map((candidate) => CastSchema.parse(candidate).characters.map((c) => c.name).join(','));
    expect(new Set(casts).size).toBe(3);
    expect(pending.draft).toEqual(pending.candidates![0]);

    // A candidate that does not exist is refused and changes nothing.
    let refused: unknown;
    try {
      await engine.decide(run.id, 'cast', { decision: 'choose', candidate: 3 });
    } catch (error) {
      refused = error;
    }
    expect(isStoryloomError(refused, 'invalid_input')).toBe(true);
    expect(String((refused as Error).message)).toMatch(/candidates 0 to 2; there is no candidate 3/);
    expect((await engine.requireRun(run.id)).pending).toHaveLength(1);

    await engine.decide(run.id, 'cast', { decision: 'choose', candidate: 2 });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.cast.output).toEqual(pending.candidates![2]);
    expect(done.nodes.cast.candidates).toEqual(pending.candidates);
    const chosenNames = CastSchema.parse(pending.candidates![2]).characters.map((c) => c.name);
    const cues = DialogueSchema.parse(done.nodes.lines.output).scenes.flatMap((s) => s.elements.flatMap((e) => (e.type === 'line' ? [e.character] : [])));
    for (const cue of cues) expect(chosenNames).toContain(cue);
    const resolved = (await engine.events(run.id)).find((event) => event.type === 'approval.resolved' && event.nodeId === 'cast')!;
    expect(resolved.data).toMatchObject({ decision: 'choose', candidate: 2 });
  });

  test('choose with an output keeps that edit, checked against the output schema', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: withCandidates(screenplayPipeline(), 'cast', 2, true), inputs: { premise: PREMISE } });
    const waiting = await engine.drive(run.id);
    const edited = structuredClone(CastSchema.parse(waiting.pending[0].candidates![1]));
    edited.characters[0].name = 'Wilhelmina';
    await expect(engine.decide(run.id, 'cast', { decision: 'choose', candidate: 1, output: { characters: 'none' } })).rejects.toThrow(/characters/);
    await engine.decide(run.id, 'cast', { decision: 'choose', candidate: 1, output: edited });
    const done = await engine.drive(run.id);
    expect(CastSchema.parse(done.nodes.cast.output).characters[0].name).toBe('Wilhelmina');
  });

  test('without an approval the checks pick a candidate and the others stay readable', async () => {
    const engine = await temp.open();
    const run = await engine.startRun({ pipeline: withCandidates(screenplayPipeline(), 'lines', 2), inputs: { premise: PREMISE } });
    const done = await engine.drive(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.lines.candidates).toHaveLength(2);
    const [first, second] = done.nodes.lines.candidates!;
    expect(first).not.toEqual(second);
    expect(done.nodes.lines.candidates).toContainEqual(done.nodes.lines.output);
  });
});

describe('candidates through the OpenAI-compatible stub', () => {
  const harness = stubbedEngines();

  test.each([
    ['honours n: one request', true, 1],
    ['ignores n: one request per candidate', false, 3],
  ])('a text node with candidates 3 against a server that %s', async (_name, choicesSupported, requests) => {
    harness.stub.setBehavior({ choicesSupported });
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
    const base = promptPipeline(['pitch'], { model: { provider: 'openai', model: 'stub-model' } });
    const pipeline = { ...base, nodes: base.nodes.map((node) => ({ ...node, candidates: 3, approval: true })) };
    const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
    const waiting = await engine.drive(run.id);
    expect(harness.stub.requests).toHaveLength(requests);
    expect(harness.stub.requests[0].body.n).toBe(3);
    const candidates = waiting.pending[0].candidates as string[];
    expect(candidates).toHaveLength(3);
    if (choicesSupported) expect(new Set(candidates).size).toBe(3);
    await engine.decide(run.id, 'pitch', { decision: 'choose', candidate: 1 });
    const done = await engine.drive(run.id);
    expect(done.nodes.pitch.output).toBe(candidates[1]);
  });
});
