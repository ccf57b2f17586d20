import { mapWithConcurrency } from '../../src/story/concurrency';
import { parseScreenplayScene } from '../../src/story/screenplay';
import { CastSchema, DialogueSchema, DraftSchema, SceneListSchema } from '../../src/story/types';
import { directCaller } from '../support/direct-caller';
import { PREMISES, planAndWrite, runNode } from '../support/story-chain';

describe('dialogue and prose write scenes in parallel', () => {
  let memory: Record<string, unknown>;
  beforeAll(async () => {
    memory = await planAndWrite(PREMISES[0], 7);
  });

  test.each([
    ['dialogue', 1],
    ['dialogue', 3],
    ['prose', 2],
    ['prose', 16],
  ])('%s respects concurrency %i', async (type, concurrency) => {
    const model = directCaller({ delayMs: 5 });
    await runNode(type, { premise: PREMISES[0] }, memory, { config: { concurrency }, model });
    expect(model.calls.map((c) => c.label)).toEqual(Array.from({ length: 7 }, (_, i) => `scene-${i + 1}`));
    // The limit holds, and the scenes really do overlap up to it.
    expect(model.maxInFlight).toBe(Math.min(concurrency, 7));
  });

  test('each scene prompt has its card, the world, its position, the story so far, its neighbours and only its cast', async () => {
    const model = directCaller();
    const dialogue = DialogueSchema.parse(await runNode('dialogue', { premise: PREMISES[0] }, memory, { model }));
    const cards = SceneListSchema.parse(memory.scenes).scenes;
    const cast = CastSchema.parse(memory.characters).characters;
    const world = (memory.setting as { world: string }).world;
    model.calls.forEach((call, i) => {
      expect(call.prompt).toMatch(/^Logline:\n/);
      expect(call.prompt).toContain(`World:\n${world}`);
      expect(call.prompt).toContain(`Where this scene stands:\nScene ${i + 1} of 7; act ${cards[i].act} of 3`);
      expect(call.prompt).toContain(`In this scene (${i + 1}):\nScene ${i + 1}. ${cards[i].heading}`);
      expect(call.prompt).toContain(`Goal: ${cards[i].goal}`);
      // One line for every scene before it, and the beats of the scenes either side.
      for (const earlier of cards.slice(0, i)) expect(call.prompt).toContain(`${earlier.number}. ${earlier.summary}`);
      if (i > 0) expect(call.prompt).toContain(`Before (scene ${i}): ${cards[i - 1].beat}`);
      if (i < 6) expect(call.prompt).toContain(`Next (scene ${i + 2}): ${cards[i + 1].beat}`);
      // The cast on the card, and no one else's character sheet.
      for (const member of cast) {
        expect(call.prompt.includes(`- ${member.name} (${member.role}`)).toBe(cards[i].characters.includes(member.name));
      }
      // Nothing another scene's writer wrote.
      for (const other of dialogue.scenes.filter((scene) => scene.number !== i + 1)) {
        const line = other.elements.find((e) => e.type === 'line')!.text;
        expect(call.prompt).not.toContain(line);
      }
      expect(call.prompt).not.toContain('Notes to address');
      expect(call.prompt).toMatch(/Answer with the scene text only/);
    });
  });

  test('a rewrite puts the notes and the previous version in the prompt', async () => {
    const model = directCaller();
    await runNode('prose', { premise: PREMISES[0] }, memory, { model, feedback: ['Scene 2: the narration slips into the first person'], previous: memory.draft });
    const second = model.calls.find((c) => c.label === 'scene-2')!.prompt;
    expect(second).toContain('Notes to address:\n- Scene 2: the narration slips into the first person');
    expect(second).toContain(`Your previous version:\n${DraftSchema.parse(memory.draft).passages[1].text.split('\n')[0]}`);
    // Notes about scene 2 do not reach scene 3.
    expect(model.calls.find((c) => c.label === 'scene-3')!.prompt).not.toContain('Notes to address');
  });

  test('a failing scene call fails the node', async () => {
    const model = directCaller();
    const failing = { ...model, text: async (call: { label?: string; prompt: string; offline: () => string }) => {
      if (call.label === 'scene-4') throw new Error('model down');
      return model.text(call);
    } };
    await expect(runNode('dialogue', { premise: PREMISES[0] }, memory, { model: failing })).rejects.toThrow('model down');
  });
});

describe('mapWithConcurrency', () => {
  test('keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([50, 10, 30, 5, 20, 1], 2, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return i * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });

  test('stops starting work after a failure', async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });

  test('an empty list maps to nothing', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});

describe('screenplay parser (what a real model writes)', () => {
  const cast = [{ name: 'Mara Quill' }, { name: 'Tobias' }];

  test('reads headings, action, cues with extensions, parentheticals and transitions', () => {
    const scene = parseScreenplayScene(
      '```\nINT. KITCHEN - NIGHT\n\nRain on the window.\nMara stirs tea.\n\nMARA (V.O.)\n(softly)\nI knew.\nI always knew.\n\nTOBIAS\nThen why stay?\n\nCUT TO:\n```',
      3,
      cast,
    );
    expect(scene).toEqual({
      number: 3,
      heading: 'INT. KITCHEN - NIGHT',
      elements: [
        { type: 'action', text: 'Rain on the window. Mara stirs tea.' },
        { type: 'line', character: 'Mara Quill', parenthetical: 'softly', text: 'I knew. I always knew.' },
        { type: 'line', character: 'Tobias', parenthetical: null, text: 'Then why stay?' },
        { type: 'transition', text: 'CUT TO:' },
      ],
    });
  });

  test('separates speeches written without blank lines between them', () => {
    const scene = parseScreenplayScene('EXT. PIER - DAY\n\nMARA\nHi.\nTOBIAS\n(warily)\nHello.\nMARA\nBye.', 1, cast);
    expect(scene.elements).toEqual([
      { type: 'line', character: 'Mara Quill', parenthetical: null, text: 'Hi.' },
      { type: 'line', character: 'Tobias', parenthetical: 'warily', text: 'Hello.' },
      { type: 'line', character: 'Mara Quill', parenthetical: null, text: 'Bye.' },
    ]);
  });

  test('accepts NAME: line dialogue and keeps unknown cues as written', () => {
    const scene = parseScreenplayScene('Sure, here is the scene:\n\nTOBIAS: Not again.\nHENRIK: Who?', 1, cast);
    expect(scene.heading).toBe('');
    expect(scene.elements).toEqual([
      { type: 'action', text: 'Sure, here is the scene:' },
      { type: 'line', character: 'Tobias', parenthetical: null, text: 'Not again.' },
      { type: 'line', character: 'HENRIK', parenthetical: null, text: 'Who?' },
    ]);
    expect(DialogueSchema.safeParse({ scenes: [scene] }).success).toBe(true);
  });
});
