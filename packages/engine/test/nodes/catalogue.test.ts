import { z } from 'zod';
import { describeNodeTypes, getNodeType, nodeTypes } from '../../src/nodes/catalogue';
import { renderDocument } from '../../src/export';
import { CastSchema, DialogueSchema, DraftSchema, OutlineSchema, SceneListSchema } from '../../src/story/types';
import { FIRST_NAMES } from '../../src/story/vocabulary';
import { editDistance } from '../../src/story/text';
import { PREMISES, planAndWrite, runNode } from '../support/story-chain';
import { directCaller } from '../support/direct-caller';

const SHIPPED_TYPES = ['logline', 'characters', 'setting', 'outline', 'scenes', 'dialogue', 'prose', 'review', 'prompt', 'export'];

describe('catalogue', () => {
  test('has the ten shipped types, found by name', () => {
    expect(nodeTypes.map((t) => t.type)).toEqual(SHIPPED_TYPES);
    for (const type of SHIPPED_TYPES) expect(getNodeType(type)?.type).toBe(type);
    expect(getNodeType('dialog')).toBeUndefined();
  });

  test('each type writes its fixed slot; prompt must name its own', () => {
    const writes = Object.fromEntries(nodeTypes.map((t) => [t.type, t.writes]));
    expect(writes).toEqual({
      logline: 'logline', characters: 'characters', setting: 'setting', outline: 'outline', scenes: 'scenes',
      dialogue: 'dialogue', prose: 'draft', review: 'review', prompt: undefined, export: 'script',
    });
    expect(getNodeType('export')!.usesModel).toBe(false);
    expect(getNodeType('dialogue')!.reads({ concurrency: 4 })).toContainEqual(expect.objectContaining({ slot: 'scenes', alternatives: ['outline'] }));
  });

  test('config schemas are strict: unknown keys are errors, defaults apply', () => {
    for (const type of nodeTypes) {
      const result = type.configSchema.safeParse({ ...(type.type === 'review' ? { target: 'lines' } : {}), ...(type.type === 'prompt' ? { template: 'x' } : {}), colour: 'red' });
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.error?.issues)).toContain('colour');
    }
    expect(getNodeType('outline')!.configSchema.parse({})).toEqual({ scenes: 6, acts: 3 });
    expect(getNodeType('review')!.configSchema.parse({ target: 'lines' })).toEqual({ target: 'lines', threshold: 7, maxRevisions: 1, policy: { categories: [], realPeople: [] } });
    expect(getNodeType('review')!.configSchema.safeParse({}).success).toBe(false);
    expect(getNodeType('export')!.configSchema.safeParse({ format: 'pdf' }).success).toBe(false);
  });

  test('describeNodeTypes gives JSON Schema for config and output', () => {
    const described = describeNodeTypes();
    expect(described.map((d) => d.type)).toEqual(SHIPPED_TYPES);
    const outline = described.find((d) => d.type === 'outline')!;
    expect(outline.configSchema).toMatchObject({ type: 'object', additionalProperties: false, properties: { scenes: { type: 'integer' } } });
    expect(outline.outputSchema).toMatchObject({ type: 'object', required: ['acts'] });
    expect(described.find((d) => d.type === 'prompt')!.templateFields).toContain('template');
    expect(described.find((d) => d.type === 'prompt')!.writes).toBeUndefined();
    // The API serves this as JSON: it must survive a round trip.
    expect(JSON.parse(JSON.stringify(described))).toEqual(described);
  });

  test('the catalogue says which run inputs a type reads directly: logline reads the premise', () => {
    const described = describeNodeTypes();
    const logline = described.find((d) => d.type === 'logline')!;
    expect(logline.reads).toEqual([]);
    expect(logline.readsInputs).toEqual([
      expect.objectContaining({ input: 'premise', optional: true }),
      ...['tone', 'audience', 'length', 'pov'].map((input) => expect.objectContaining({ input, optional: true })),
    ]);
    expect(described.find((d) => d.type === 'characters')!.readsInputs.map((r) => r.input)).toEqual(['premise', 'tone', 'audience', 'length', 'pov']);
    expect(described.find((d) => d.type === 'export')!.readsInputs).toEqual([]);
  });

  test('output schemas bound their lists where configs bound them (cast ≤ 12, scenes ≤ 60 …)', () => {
    const described = new Map(describeNodeTypes().map((d) => [d.type, d.outputSchema as any]));
    expect(described.get('characters').properties.characters).toMatchObject({ minItems: 1, maxItems: 12 });
    expect(described.get('setting').properties.locations).toMatchObject({ maxItems: 12 });
    expect(described.get('outline').properties.acts).toMatchObject({ maxItems: 5 });
    expect(described.get('outline').properties.acts.items.properties.beats).toMatchObject({ maxItems: 60 });
    for (const [type, key] of [['scenes', 'scenes'], ['dialogue', 'scenes'], ['prose', 'passages']]) {
      expect(described.get(type).properties[key]).toMatchObject({ maxItems: 60 });
    }
    expect(described.get('review').properties.passes).toMatchObject({ minItems: 1, maxItems: 6 });
    // The bound is the config's own maximum, so the largest config still fits.
    expect(getNodeType('characters')!.configSchema.safeParse({ count: 13 }).success).toBe(false);
    const cast = { characters: Array.from({ length: 13 }, (_, i) => ({ name: `N${i}`, role: 'r', description: 'd', want: 'w', flaw: 'f', voice: 'v', pronouns: 'they/them', age: '40', relationships: 'none', sampleLine: 'Hm.' })) };
    expect(CastSchema.safeParse(cast).error?.issues[0].message).toBe('at most 12 characters, got 13');
    expect(CastSchema.safeParse({ characters: cast.characters.slice(0, 12) }).success).toBe(true);
  });
});

describe.each(PREMISES)('offline chain for "%s"', (premise) => {
  let memory: Record<string, unknown>;
  beforeAll(async () => {
    memory = await planAndWrite(premise, 6);
  });

  test('every stage fits its output schema (runNode parses each)', () => {
    expect(CastSchema.parse(memory.characters).characters).toHaveLength(4);
    expect(OutlineSchema.parse(memory.outline).acts.flatMap((a) => a.beats).map((b) => b.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(SceneListSchema.parse(memory.scenes).scenes).toHaveLength(6);
    expect(DialogueSchema.parse(memory.dialogue).scenes).toHaveLength(6);
    expect(DraftSchema.parse(memory.draft).passages).toHaveLength(6);
  });

  test('is derived from the premise and reads like a story', () => {
    const logline = memory.logline as { logline: string; title: string };
    const head = premise.split(' ').slice(1, 3).join(' ').toLowerCase();
    expect(logline.logline.toLowerCase()).toContain(head);
    const text = JSON.stringify(memory).toLowerCase();
    expect(text).not.toMatch(/lorem|ipsum|undefined|\[object/);
  });

  test('scene headings are INT./EXT. with setting locations, characters from the cast', () => {
    const cast = CastSchema.parse(memory.characters).characters.map((c) => c.name);
    const locations = (memory.setting as { locations: Array<{ name: string }> }).locations.map((l) => l.name.toUpperCase());
    for (const scene of SceneListSchema.parse(memory.scenes).scenes) {
      expect(scene.heading).toMatch(/^(INT|EXT)\. .+ - [A-Z]+$/);
      expect(locations.some((l) => scene.heading.includes(l))).toBe(true);
      for (const name of scene.characters) expect(cast).toContain(name);
    }
  });

  test('dialogue cues are all cast names and every cast member speaks', () => {
    const cast = CastSchema.parse(memory.characters).characters.map((c) => c.name);
    const speakers = DialogueSchema.parse(memory.dialogue).scenes.flatMap((s) => s.elements.flatMap((e) => (e.type === 'line' ? [e.character] : [])));
    expect(new Set(speakers)).toEqual(new Set(cast));
  });

  test('prose is one third-person passage per scene', () => {
    for (const passage of DraftSchema.parse(memory.draft).passages) {
      const narration = passage.text.replace(/“[^”]*”/g, '');
      expect(narration).not.toMatch(/\b(I|my|me|we)\b/);
      expect(passage.text.split(/\n\n/).length).toBeGreaterThanOrEqual(3);
    }
  });

  test('review finds no problems in good offline output, yet never passes the placeholder, for dialogue and for prose', async () => {
    for (const [slot, nodeId] of [['dialogue', 'lines'], ['draft', 'story']] as const) {
      const revise = jest.fn();
      const review = (await runNode('review', { premise }, memory, {
        config: { target: nodeId },
        target: { nodeId, type: slot === 'draft' ? 'prose' : 'dialogue', slot, output: memory[slot], revise },
      })) as { issues: unknown[]; passed: boolean; score: number; revisions: number };
      expect(review.issues).toEqual([]);
      // The offline writer's text is a placeholder: its craft review says so and does not pass it; with nothing a
      // rewrite could fix, nothing is rewritten.
      expect(review.passed).toBe(false);
      expect(review.score).toBeLessThan(7);
      expect((review as unknown as { rubric: { comment: string } }).rubric.comment).toMatch(/placeholder/i);
      expect(revise).not.toHaveBeenCalled();
    }
  });

  test('exports in every format from the chain, with no model call', async () => {
    const title = (memory.logline as { title: string }).title;
    const expected = { fountain: `Title: ${title}`, fdx: title.toUpperCase(), markdown: `# ${title}`, json: JSON.stringify(title) };
    for (const format of ['fountain', 'fdx', 'markdown', 'json'] as const) {
      const model = directCaller();
      const document = (await runNode('export', { premise }, memory, { config: { format }, model })) as { format: string; content: string };
      expect(model.calls).toEqual([]);
      expect(document.format).toBe(format);
      expect(document.content).toContain(expected[format].replace(/&/g, '&amp;'));
      expect(document).toEqual(renderDocument(format, memory));
    }
  });

  test('the same context gives the same output', async () => {
    const again = await planAndWrite(premise, 6);
    expect(again).toEqual(memory);
  });
});

describe('offline writers', () => {
  const premise = PREMISES[0];

  test('outline has exactly `scenes` beats for any count', async () => {
    const base = await planAndWrite(premise, 3);
    for (const scenes of [1, 2, 5, 12, 30]) {
      for (const acts of [1, 3, 5]) {
        const outline = OutlineSchema.parse(await runNode('outline', { premise }, base, { config: { scenes, acts } }));
        expect(outline.acts.flatMap((a) => a.beats).map((b) => b.number)).toEqual(Array.from({ length: scenes }, (_, i) => i + 1));
        expect(outline.acts.length).toBe(Math.min(acts, scenes));
      }
    }
  });

  test('character names are distinct, never near-duplicates, even for a big cast', async () => {
    for (let i = 0; i < FIRST_NAMES.length; i++) {
      for (let j = i + 1; j < FIRST_NAMES.length; j++) expect(editDistance(FIRST_NAMES[i].toLowerCase(), FIRST_NAMES[j].toLowerCase())).toBeGreaterThan(2);
    }
    for (const p of PREMISES) {
      const base = await planAndWrite(p, 2);
      const cast = CastSchema.parse(await runNode('characters', { premise: p }, base, { config: { count: 12 } })).characters;
      expect(cast).toHaveLength(12);
      const names = cast.map((c) => c.name.toLowerCase());
      for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) expect(editDistance(names[i], names[j])).toBeGreaterThan(2);
    }
  });

  test('feedback changes the output and addresses the note', async () => {
    const memory = await planAndWrite(premise, 4);
    const logline = await runNode('logline', { premise }, {});
    const rewritten = (await runNode('logline', { premise }, {}, { feedback: ['A different title, please.'], previous: logline })) as { title: string };
    expect(rewritten.title).not.toBe((logline as { title: string }).title);

    const cast = CastSchema.parse(memory.characters).characters;
    const renamed = CastSchema.parse(
      await runNode('characters', { premise }, memory, { config: { count: 4 }, feedback: [`${cast[2].name} sounds too much like someone I know; rename them.`], previous: memory.characters }),
    ).characters;
    expect(renamed.map((c) => c.name)).not.toContain(cast[2].name);

    // A reviewer's note on scene 1 rewrites scene 1 only, with the people its card lists (a note naming someone
    // else does not pull them into the scene).
    const outsider = cast.find((c) => !SceneListSchema.parse(memory.scenes).scenes[0].characters.includes(c.name))!.name;
    const model = directCaller();
    const dialogue = DialogueSchema.parse(
      await runNode('dialogue', { premise }, memory, {
        revisionNotes: [{ scene: 1, note: `The stakes are flat; ${outsider} is talked about but the scene never shows why.` }],
        previous: memory.dialogue,
        model,
      }),
    );
    const firstSpeakers = dialogue.scenes[0].elements.flatMap((e) => (e.type === 'line' ? [e.character] : []));
    expect(firstSpeakers).not.toContain(outsider);
    expect(dialogue.scenes[0]).not.toEqual(DialogueSchema.parse(memory.dialogue).scenes[0]);
    // Only scene 1 was asked for again; the others are the previous scenes exactly.
    expect(model.calls.map((c) => c.label)).toEqual(['scene-1']);
    expect(dialogue.scenes.slice(1)).toEqual(DialogueSchema.parse(memory.dialogue).scenes.slice(1));
  });

  test.each([
    ['logline', {}],
    ['characters', { count: 3 }],
    ['setting', { locations: 2 }],
    ['outline', { scenes: 1, acts: 1 }],
    ['scenes', {}],
  ])('a %s rewrite with notes always differs from the previous version', async (type, config) => {
    const memory = await planAndWrite(premise, 1);
    const previous = await runNode(type, { premise }, memory, { config });
    for (const note of ['Try again.', 'More tension.', 'No.']) {
      expect(await runNode(type, { premise }, memory, { config, feedback: [note], previous })).not.toEqual(previous);
    }
  });

  test('dialogue reads an outline alone when there are no scene cards', async () => {
    const memory = await planAndWrite(premise, 3);
    const { scenes: _scenes, ...withoutCards } = memory;
    const dialogue = DialogueSchema.parse(await runNode('dialogue', { premise }, withoutCards));
    expect(dialogue.scenes).toHaveLength(3);
    for (const scene of dialogue.scenes) expect(scene.heading).toMatch(/^(INT|EXT)\. /);
    // Without a setting either, the genre's stock places give the headings.
    const { setting: _setting, ...bare } = withoutCards;
    const headings = DialogueSchema.parse(await runNode('dialogue', { premise }, bare)).scenes.map((s) => s.heading);
    for (const heading of headings) expect(heading).toMatch(/^(INT|EXT)\. [A-Z][A-Z ]+ - (DAY|NIGHT)$/);
    expect(headings.join()).not.toContain('SCENE');
  });

  test('a writer with nothing to write says so', async () => {
    await expect(runNode('dialogue', { premise }, { characters: { characters: [] } })).rejects.toThrow(/no scenes to write/);
  });

  test('config JSON Schemas accept the example configs', () => {
    const examples: Array<[string, unknown]> = [
      ['characters', { count: 4 }], ['outline', { scenes: 6 }], ['dialogue', { concurrency: 4 }],
      ['review', { target: 'lines', threshold: 7, maxRevisions: 1 }], ['export', { format: 'fountain' }],
    ];
    for (const [type, config] of examples) {
      const schema = z.fromJSONSchema(describeNodeTypes().find((d) => d.type === type)!.configSchema as Parameters<typeof z.fromJSONSchema>[0]);
      expect(schema.safeParse(config).success).toBe(true);
    }
  });
});
