// The OpenAI stub must answer every Storyloom node type's model calls with content its output schema accepts,
// through the real caller (structured json_schema path and the JSON-from-text fallback alike).
import { createModelCaller } from '../../src/models/caller';
import { getNodeType, nodeTypes } from '../../src/nodes/catalogue';
import { outputSchemaOf, type ModelCaller, type NodeContext } from '../../src/nodes/types';
import { startOpenAIStub, type OpenAIStub } from '../../../../test/support/openai-stub';

const inputs = { premise: 'A lighthouse keeper finds a letter from her drowned brother, dated tomorrow.' };
const PROMPT_SCHEMA = {
  type: 'object',
  properties: { pitch: { type: 'string' }, hooks: { type: 'array', items: { type: 'string' }, minItems: 2 } },
  required: ['pitch', 'hooks'],
  additionalProperties: false,
};

const configs: Record<string, Record<string, unknown>> = {
  characters: { count: 3 },
  outline: { scenes: 3, acts: 3 },
  dialogue: { concurrency: 2 },
  prose: { concurrency: 2 },
  review: { target: 'lines', threshold: 7, maxRevisions: 1 },
  prompt: { template: 'Pitch this: {{logline}}', output: 'json', schema: PROMPT_SCHEMA },
};

async function runType(type: string, memory: Record<string, unknown>, model: ModelCaller, reviewed?: { nodeId: string; type: string; slot: string; output: unknown }) {
  const nodeType = getNodeType(type)!;
  const config = nodeType.configSchema.parse(configs[type] ?? {});
  const ctx: NodeContext<unknown> = {
    nodeId: type,
    node: { id: type, type, config: configs[type] },
    config,
    inputs,
    memory,
    feedback: [],
    model,
    signal: new AbortController().signal,
    target: reviewed && { ...reviewed, revise: async () => reviewed.output },
  };
  const output = await nodeType.run(ctx);
  expect(outputSchemaOf(nodeType, config).safeParse(output).error).toBeUndefined();
  return output;
}

let stub: OpenAIStub;
beforeAll(async () => {
  stub = await startOpenAIStub();
});
afterAll(() => stub.close());

describe.each([
  ['json_schema supported', true],
  ['json_schema refused (text fallback)', false],
])('every model-using node type through the stub, %s', (_name, jsonSchemaSupported) => {
  test('outputs pass their schemas; dialogue cues are cast names', async () => {
    stub.setBehavior({ jsonSchemaSupported });
    stub.reset();
    const model = createModelCaller({ spec: { provider: 'openai', model: 'stub-model' }, env: { OPENAI_BASE_URL: stub.url }, retryBaseMs: 5 });
    const memory: Record<string, unknown> = {};
    for (const type of ['logline', 'characters', 'setting', 'outline', 'scenes', 'dialogue', 'prose']) {
      memory[getNodeType(type)!.writes!] = await runType(type, memory, model);
    }
    const cast = (memory.characters as { characters: Array<{ name: string }> }).characters.map((c) => c.name.toUpperCase());
    const dialogue = memory.dialogue as { scenes: Array<{ elements: Array<{ type: string; character?: string }> }> };
    const cues = dialogue.scenes.flatMap((s) => s.elements.filter((e) => e.type === 'line').map((e) => e.character!.toUpperCase()));
    expect(cues.length).toBeGreaterThan(0);
    for (const cue of cues) expect(cast).toContain(cue);

    const review = (await runType('review', memory, model, { nodeId: 'lines', type: 'dialogue', slot: 'dialogue', output: memory.dialogue })) as { passed: boolean };
    expect(typeof review.passed).toBe('boolean');
    await runType('prompt', memory, model);

    const used = nodeTypes.filter((t) => t.usesModel).map((t) => t.type).sort();
    expect(used).toEqual(['characters', 'dialogue', 'logline', 'outline', 'prompt', 'prose', 'review', 'scenes', 'setting']);
    // The stub really was asked, in the mode under test.
    expect(stub.requests.length).toBeGreaterThan(9);
    expect(stub.requests.some((r) => r.responseFormat?.type === 'json_schema' && r.status === 200)).toBe(jsonSchemaSupported);
  });
});
