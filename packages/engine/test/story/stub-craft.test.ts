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
import { eventsOf } from '../../../../test/support/events';
import { continuityOf, isJudge, isSceneCards, judgeReply, sceneOf, sceneReply, storyResponder } from '../../../../test/support/story-stub';

const PREMISE = 'A lighthouse keeper finds a letter from her drowned brother, dated tomorrow.';
const shipped = (): Pipeline => JSON.parse(readFileSync(join(__dirname, '../../../../pipelines/short-screenplay.json'), 'utf8'));

describe('the shipped screenplay through the OpenAI-compatible stub', () => {
  const harness = stubbedEngines();
  const scripted = storyResponder(6);
  let spoiledOnce = false;

  beforeEach(() => {
    spoiledOnce = false;
    forgetEndpointAbilities();
    harness.stub.setBehavior({
      respond: (request) => {
        // Scene 4's first answer comes with chatter and a cue nobody cast; everything else is clean.
        if (sceneOf(request) !== 4 || spoiledOnce) return scripted(request);
        spoiledOnce = true;
        return { content: `Sure, here is the scene you asked for:\n\n${sceneReply(request)}\n\nHENRIK\nWho let me in here?\n\nLet me know if you would like any changes.` };
      },
    });
  });

  async function runShipped(env: Record<string, string> = {}) {
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url, ...env } });
    const pipeline = { ...shipped(), model: { provider: 'openai' as const, model: 'stub-model' } };
    const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE, scenes: 6, tone: 'salt-bitten and tender' }, autoApprove: true });
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
    // Continuity facts read from the plan (the stub's: what each card's people learn) reach scene 3 only for the
    // people on its card and only from the scenes before it.
    const [hero] = cards[2].characters;
    expect(requests.filter((r) => continuityOf(r) === 0)).toHaveLength(1);
    expect(third.prompt).toContain(`- Scene 1: ${hero} knows secret 1.`);
    expect(third.prompt).toContain(`- Scene 2: ${hero} knows secret 2.`);
    expect(third.prompt).not.toMatch(/secret [3-6]\b/);
    const offCard = cards.slice(0, 2).map((card) => card.characters[card.characters.length - 1]).filter((name) => !cards[2].characters.includes(name));
    expect(offCard.length).toBeGreaterThan(0);
    for (const name of offCard) expect(third.prompt).not.toContain(`${name} hides secret`);
    // The judge sees the facts read from each written scene and from the plan.
    const judge = requests.find(isJudge)!;
    expect(judge.prompt).toContain('- after scene 2: The lamp burns through night 2.');
    expect(judge.prompt).toContain(`- after scene 1: ${hero} knows secret 1.`);
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
    // The facts of each written scene are read once, scene 4's again after its rewrite; kept scenes are not re-read.
    const reread = requests.map(continuityOf).filter((n): n is number => n !== undefined && n > 0);
    expect(reread.sort()).toEqual([1, 2, 3, 4, 4, 5, 6]);
    const rewrite = byScene.get(4)![1].prompt;
    expect(rewrite).toContain('Notes to address:');
    expect(rewrite).toMatch(/cue 'HENRIK' is not in the cast/);
    expect(rewrite).toMatch(/assistant chatter/);

    const review = done.nodes.notes.output as Review;
    expect(review.revisions).toBe(1);
    expect(review.passes[0].notes.every((n) => n.scene === 4)).toBe(true);
    expect(review).toMatchObject({ passed: true, issues: [] });

    const script = (await engine.exportRun(done.id, 'fountain')).content;
    if (typeof script !== 'string') throw new Error('a Fountain export is text, not bytes');
    expect(script).not.toMatch(/Sure, here is|Let me know|HENRIK|PLACEHOLDER/);
    const tokens = new Fountain().parse(script, true).tokens as Array<{ type: string; text?: string }>;
    expect(tokens.filter((t) => t.type === 'scene_heading')).toHaveLength(6);
  }, 60_000);

  test('a note about the plan re-plans the scene cards; only the scene whose card changed is rewritten; the second pass confirms the fix', async () => {
    const planNote = 'The midpoint reversal comes too late: move it into act 2.';
    let judged = 0;
    harness.stub.setBehavior({
      respond: (request) => {
        if (isJudge(request)) {
          judged += 1;
          return judged === 1 ? judgeReply({ score: 5, notes: [{ scene: null, note: planNote }] }) : judgeReply();
        }
        return scripted(request);
      },
    });
    const { engine, done } = await runShipped();
    const requests = harness.stub.requests;

    // The scene list is asked again with the note, and its facts read again.
    const planning = requests.filter(isSceneCards);
    expect(planning).toHaveLength(2);
    expect(planning[1].prompt).toContain(`Notes to address:\n- ${planNote}`);
    expect(requests.filter((r) => continuityOf(r) === 0)).toHaveLength(2);
    // Scene 3's card changed: it alone is written again (with the new card), and its facts read again.
    const writes = requests.map(sceneOf).filter((n): n is number => n !== undefined);
    expect(writes.sort()).toEqual([1, 2, 3, 3, 4, 5, 6]);
    const rewrite = requests.filter((r) => sceneOf(r) === 3)[1].prompt;
    expect(rewrite).toContain('Beat: Beat 3: the keeper confronts the supply boat captain at the rail.');
    expect(rewrite).toContain(`The plan for this scene changed (${planNote})`);
    const reread = requests.map(continuityOf).filter((n): n is number => n !== undefined && n > 0);
    expect(reread.sort()).toEqual([1, 2, 3, 3, 4, 5, 6]);

    // Every other scene is byte-identical to the first draft.
    const completed = eventsOf(await engine.events(done.id), 'node.completed', 'lines');
    expect(completed).toHaveLength(2);
    const [first, second] = completed.map((e) => DialogueSchema.parse(e.data.output).scenes);
    expect(second.filter((s) => s.number !== 3)).toEqual(first.filter((s) => s.number !== 3));
    expect(second[2]).not.toEqual(first[2]);
    // The scene list's second version is the run's plan now.
    expect(SceneListSchema.parse(done.nodes['scene-list'].output).scenes[2].beat).toMatch(/supply boat captain/);

    // The second pass was shown the earlier note and confirms it fixed.
    const judges = requests.filter(isJudge);
    expect(judges).toHaveLength(2);
    expect(judges[1].prompt).toContain(`Notes given on the previous pass (say in a note if one is still not fixed):\n- ${planNote}`);
    const review = done.nodes.notes.output as Review;
    expect(review.passes[0].notes).toEqual([{ scene: null, note: planNote }]);
    expect(review.passes[1]).toMatchObject({ resolved: [{ scene: null, note: planNote }], unresolved: [] });
    expect(review).toMatchObject({ passed: true, revisions: 1 });
  }, 60_000);

  test('a server without JSON-schema support is asked with response_format once, not once per JSON node', async () => {
    harness.stub.setBehavior({ jsonSchemaSupported: false });
    await runShipped();
    const rejected = harness.stub.requests.filter((r) => r.responseFormat?.type === 'json_schema');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].status).toBe(400);
  }, 60_000);
});
