// The shipped screenplay pipeline against the OpenAI-compatible stub, through the real runner and ChatOpenAI:
// what each stage is sent (system message, sampling, the context of a scene prompt), a scene answered with
// chatter and an unknown cue rewritten alone, and a server without JSON-schema support asked only once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fountain } from 'fountain-js';
import { forgetEndpointAbilities } from '../../src/models/caller';
import type { Pipeline } from '../../src/pipeline/schema';
import { DialogueSchema, SceneListSchema, SettingSchema, type Review } from '../../src/story/types';
import type { StubRequest } from '../../../../test/support/openai-stub';
import { stubbedEngines } from '../runner/support/helpers';

const PREMISE = 'A lighthouse keeper finds a letter from her drowned brother, dated tomorrow.';
const shipped = (): Pipeline => JSON.parse(readFileSync(join(__dirname, '../../../../pipelines/short-screenplay.json'), 'utf8'));

const sceneOf = (request: StubRequest): number | undefined => Number(/Write scene (\d+) as a screenplay/.exec(request.prompt)?.[1]) || undefined;
const isJudge = (request: StubRequest): boolean => /Judge this text as a script editor/.test(request.prompt);

const SPEECHES = [
  'You kept the log open on the table all night, and you never once wrote in it.',
  'The supply boat is three days late and the radio only gives us static and gulls.',
  'If he drowned in March, then who posted a letter from the mainland last Tuesday?',
  'Read it again. Slowly this time. Tell me the date printed at the very top.',
  'I trimmed the wick myself at dusk; somebody climbed those stairs after me.',
  'Mother burned every photograph of him. She said the sea keeps what it takes.',
  'Keep your voice down. Sound carries up the tower like water through a pipe.',
  'There is salt on the envelope, fresh salt, as though it came out of the waves.',
  'We could row across before the weather turns, if you stop arguing with me.',
  'Nobody else has a key to the lamp room. Nobody except the two of us.',
  'I hear footsteps on the gallery at four every morning, regular as the lens.',
  'Tomorrow is the anniversary. Maybe that is all this is: grief with a postmark.',
];

/** A clean scene in the form asked for: the heading it was given, its card's beat played, lines only for the names it allows. */
function sceneReply(request: StubRequest, spoil: boolean): string {
  const heading = /heading "([^"]+)"/.exec(request.prompt)![1];
  const names = /\(only these names: ([^)]+)\)/.exec(request.prompt)![1].split(', ');
  const beat = /\nBeat: (.+)/.exec(request.prompt)![1];
  const n = sceneOf(request)!;
  const lines = SPEECHES.slice(0, 9).map((speech, i) => `${names[i % names.length]}\n${SPEECHES[(i + n * 2) % SPEECHES.length]} (${n}.${i})\n`);
  const action = `Wind rattles the glass. ${beat} The beam turns over black water while gulls settle on the rail.`;
  const text = [heading, '', action, '', ...lines, `Scene ${n} ends as the lamp completes its ${n + 2}th slow turn.`].join('\n');
  return spoil ? `Sure, here is the scene you asked for:\n\n${text}\n\nHENRIK\nWho let me in here?\n\nLet me know if you would like any changes.` : text;
}

type CardSchema = { properties: { location: { enum: string[] }; characters: { items: { enum: string[] } } } };

/** Six scene cards inside the enums the structured-output schema offers (the stub's own answer would hold three). */
function sceneCards(request: StubRequest): string {
  const card = (request.responseFormat!.json_schema!.schema as { properties: { scenes: { items: CardSchema } } }).properties.scenes.items;
  const places = card.properties.location.enum;
  const names = card.properties.characters.items.enum;
  const scenes = Array.from({ length: 6 }, (_, i) => {
    const n = i + 1;
    return {
      number: n,
      heading: `INT. ${places[i % places.length].toUpperCase()} - NIGHT`,
      location: places[i % places.length],
      characters: [...new Set([names[0], names[n % names.length]])],
      act: n <= 2 ? 1 : n <= 4 ? 2 : 3,
      beat: `Beat ${n}: the keeper reads letter ${n} aloud.`,
      goal: `Goal ${n}.`,
      conflict: `Conflict ${n}.`,
      turn: `Turn ${n}.`,
      outcome: `Outcome ${n}: the tide mark rises to rung ${n}.`,
      subBeats: [`Step ${n}a.`, `Step ${n}b.`],
      summary: `Summary ${n}: the keeper and the letter, night ${n}.`,
    };
  });
  return JSON.stringify({ scenes });
}

describe('the shipped screenplay through the OpenAI-compatible stub', () => {
  const harness = stubbedEngines();
  let spoiledOnce = false;

  beforeEach(() => {
    spoiledOnce = false;
    forgetEndpointAbilities();
    harness.stub.setBehavior({
      respond: (request) => {
        if (isJudge(request)) {
          return JSON.stringify({ coherence: 8, relevance: 8, interest: 7, score: 8, storyText: true, beatsMissed: [], notes: [], comment: 'Works.' });
        }
        if (/Turn the outline into scene cards/.test(request.prompt) && request.responseFormat) return sceneCards(request);
        const scene = sceneOf(request);
        if (scene === undefined) return undefined;
        const spoil = scene === 4 && !spoiledOnce;
        if (spoil) spoiledOnce = true;
        return { content: sceneReply(request, spoil) };
      },
    });
  });

  async function runShipped(env: Record<string, string> = {}) {
    const engine = harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url, ...env } });
    const pipeline = { ...shipped(), model: { provider: 'openai' as const, model: 'stub-model' } };
    const run = engine.startRun({ pipeline, inputs: { premise: PREMISE, scenes: 6, tone: 'salt-bitten and tender' }, autoApprove: true });
    const done = await engine.drive(run.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('completed');
    return { engine, done };
  }

  test('scene 3’s writer sees the world, the story so far, scene 4’s beat and nothing of scene 5’s text', async () => {
    const { done } = await runShipped();
    const requests = harness.stub.requests;
    const cards = SceneListSchema.parse(done.nodes['scene-list'].output).scenes;
    const setting = SettingSchema.parse(done.nodes.world.output);
    const dialogue = DialogueSchema.parse(done.nodes.lines.output);
    const third = requests.find((r) => sceneOf(r) === 3)!;
    expect(third.prompt).toContain(`World:\n${setting.world} Period: ${setting.period}.`);
    expect(third.prompt).toContain('Where this scene stands:\nScene 3 of 6; act 2 of ');
    expect(third.prompt).toContain(`2. ${cards[1].summary}`);
    expect(third.prompt).toContain(`Next (scene 4): ${cards[3].beat}`);
    for (const element of dialogue.scenes[4].elements) expect(third.prompt).not.toContain(element.text);
    // Only the cast on the card may speak; walk-ons by role are allowed.
    expect(third.prompt).toContain(`(only these names: ${cards[2].characters.map((n) => n.toUpperCase()).join(', ')})`);
    expect(third.prompt).toMatch(/unnamed walk-on cued by role/);

    // Every stage has its system message, with the producer's tone; the judge runs at temperature 0 and the
    // writers at the shipped pipeline's sampling.
    for (const request of requests) {
      expect(request.messages[0].role).toBe('system');
      expect(request.messages[0].content).toContain('Tone: salt-bitten and tender.');
    }
    const judged = requests.filter(isJudge);
    expect(judged.length).toBeGreaterThan(0);
    for (const request of judged) expect(request.body.temperature).toBe(0);
    expect(third.body.temperature).toBe(0.9);
    // Prompt tokens are recorded per stage.
    for (const id of ['logline', 'cast', 'world', 'beats', 'scene-list', 'lines', 'notes']) expect(done.nodes[id].usage!.inputTokens).toBeGreaterThan(0);
  }, 60_000);

  test('a scene answered with chatter and an unknown cue is rewritten alone; the export is clean', async () => {
    const { engine, done } = await runShipped();
    const requests = harness.stub.requests;
    const byScene = new Map<number, StubRequest[]>();
    for (const request of requests) {
      const scene = sceneOf(request);
      if (scene !== undefined) byScene.set(scene, [...(byScene.get(scene) ?? []), request]);
    }
    // Scenes 1–6 written once each, scene 4 twice: the rewrite carries the notes and the previous version.
    expect([...byScene.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const [scene, asked] of byScene) expect(asked).toHaveLength(scene === 4 ? 2 : 1);
    const rewrite = byScene.get(4)![1].prompt;
    expect(rewrite).toContain('Notes to address:');
    expect(rewrite).toMatch(/cue 'HENRIK' is not in the cast/);
    expect(rewrite).toMatch(/assistant chatter/);

    const review = done.nodes.notes.output as Review;
    expect(review.revisions).toBe(1);
    expect(review.passes[0].notes.every((n) => n.scene === 4)).toBe(true);
    expect(review).toMatchObject({ passed: true, issues: [] });

    const script = engine.exportRun(done.id, 'fountain').content;
    expect(script).not.toMatch(/Sure, here is|Let me know|HENRIK|PLACEHOLDER/);
    const tokens = new Fountain().parse(script, true).tokens as Array<{ type: string; text?: string }>;
    expect(tokens.filter((t) => t.type === 'scene_heading')).toHaveLength(6);
  }, 60_000);

  test('a server without JSON-schema support is asked with response_format once, not once per JSON node', async () => {
    harness.stub.setBehavior({ jsonSchemaSupported: false });
    await runShipped();
    const rejected = harness.stub.requests.filter((r) => r.responseFormat?.type === 'json_schema');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].status).toBe(400);
  }, 60_000);
});
