import { getNodeType } from '../../src/nodes/catalogue';
import { outputSchemaOf } from '../../src/nodes/types';
import { directCaller } from '../support/direct-caller';
import { PREMISES, planAndWrite, runNode } from '../support/story-chain';

const promptType = getNodeType('prompt')!;
const premise = PREMISES[1];

describe('prompt node', () => {
  let memory: Record<string, unknown>;
  beforeAll(async () => {
    memory = await planAndWrite(premise, 3);
  });

  test('reads exactly the slots its template references', () => {
    const config = promptType.configSchema.parse({ template: 'Title: {{logline.title}}\nCast: {{ characters }}\n{{inputs.premise}} {{logline}}' });
    expect(promptType.reads(config)).toEqual([{ slot: 'logline' }, { slot: 'characters' }]);
    expect(promptType.writes).toBeUndefined();
    expect(promptType.templateFields).toContain('template');
  });

  test('the system prompt is a template too', async () => {
    const config = { template: 'Pitch it.', system: 'You write for {{inputs.premise}} about {{setting.world}}.' };
    expect(promptType.reads(promptType.configSchema.parse(config))).toEqual([{ slot: 'setting' }]);
    const prompts: string[] = [];
    const recorder = directCaller();
    const model = { ...recorder, text: async (call: Parameters<typeof recorder.text>[0]) => (prompts.push(call.system ?? ''), recorder.text(call)) };
    await runNode('prompt', { premise }, memory, { model, config });
    expect(prompts).toEqual([`You write for ${premise} about ${(memory.setting as { world: string }).world}.`]);
  });

  test('text output: renders the template with memory and inputs and sends it', async () => {
    const model = directCaller();
    const output = await runNode('prompt', { premise }, memory, { model, config: { template: 'Pitch "{{logline.title}}" in one line. Premise: {{inputs.premise}}' } });
    const title = (memory.logline as { title: string }).title;
    expect(model.calls[0].prompt).toBe(`Pitch "${title}" in one line. Premise: ${premise}`);
    expect(typeof output).toBe('string');
    expect(output).toContain(title);
    // Deterministic, and feedback changes it.
    expect(await runNode('prompt', { premise }, memory, { config: { template: 'Pitch "{{logline.title}}"' } })).toBe(
      await runNode('prompt', { premise }, memory, { config: { template: 'Pitch "{{logline.title}}"' } }),
    );
    const revised = await runNode('prompt', { premise }, memory, { config: { template: 'Pitch "{{logline.title}}"' }, feedback: ['Shorter.'], previous: output });
    expect(revised).toContain('Shorter.');
  });

  test('json output: validated against the JSON Schema from config', async () => {
    const schema = {
      type: 'object',
      properties: {
        taglines: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 },
        rating: { type: 'integer', minimum: 1, maximum: 5 },
        mood: { enum: ['dark', 'light'] },
        extra: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
      },
      required: ['taglines', 'rating', 'mood', 'extra'],
      additionalProperties: false,
    };
    const config = { template: 'Taglines for {{logline.title}}', output: 'json', schema };
    const model = directCaller();
    const output = (await runNode('prompt', { premise }, memory, { model, config })) as { taglines: string[]; rating: number };
    expect(output.taglines.length).toBeGreaterThanOrEqual(2);
    expect(output.rating).toBeGreaterThanOrEqual(1);
    expect(model.calls[0].prompt).toContain('Answer as JSON matching this schema');
    const zodSchema = outputSchemaOf(promptType, promptType.configSchema.parse(config));
    expect(zodSchema.safeParse(output).success).toBe(true);
    expect(zodSchema.safeParse({ ...output, rating: 9 }).success).toBe(false);
    expect(zodSchema.safeParse({ ...output, surprise: 1 }).success).toBe(false);
  });

  test('config problems are named', () => {
    const issues = (config: unknown): string[] => promptType.configSchema.safeParse(config).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ template: 'x', output: 'json' })).toEqual(['schema: output "json" needs a JSON Schema in "schema"']);
    expect(issues({ template: 'x', schema: { type: 'string' } })).toEqual(['schema: "schema" is only used with output "json"']);
    expect(issues({ template: '' }).join()).toMatch(/template/);
    expect(issues({ template: 'x', output: 'xml' }).join()).toMatch(/output/);
    expect(issues({ template: 'x', outptu: 'json' }).join()).toMatch(/outptu/);
  });

  test('a JSON prompt checks answers with a schema built once per JSON Schema, which judges like the JSON Schema', () => {
    const config = promptType.configSchema.parse({ template: 'x', output: 'json', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } });
    const schema = outputSchemaOf(promptType, config);
    const again = promptType.configSchema.parse({ template: 'y', output: 'json', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } });
    expect(outputSchemaOf(promptType, again)).toBe(schema);
    expect(schema.safeParse({ n: 2 }).success).toBe(true);
    expect(schema.safeParse({ n: 'two' }).success).toBe(false);
    const other = promptType.configSchema.parse({ template: 'x', output: 'json', schema: { type: 'object', properties: { n: { type: 'string' } }, required: ['n'] } });
    expect(outputSchemaOf(promptType, other).safeParse({ n: 'two' }).success).toBe(true);
  });
});
