import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// An independent JSON Schema validator (ajv is in node_modules through @readme/openapi-parser): proves the
// generated schema works for tools that are not Storyloom.
import Ajv2020 from 'ajv/dist/2020';
import { PIPELINE_SCHEMA_ID, pipelineJsonSchema, pipelineJsonSchemaText } from '../../src/pipeline/json-schema';
import { examplePipeline } from './support/example';

const checkedIn = join(__dirname, '..', '..', 'schema', 'pipeline.schema.json');

describe('pipeline JSON Schema', () => {
  it('is up to date with the zod schema (regenerate: node packages/engine/scripts/generate-pipeline-schema.js)', () => {
    expect(readFileSync(checkedIn, 'utf8')).toBe(pipelineJsonSchemaText());
  });

  it('names itself and describes the format', () => {
    const schema = pipelineJsonSchema();
    expect(schema.$id).toBe(PIPELINE_SCHEMA_ID);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('Storyloom pipeline');
    expect(String(schema.description)).toContain('storyloom/pipeline@1');
  });

  it('carries the rules an editor can check without the catalogue: format, id patterns, no unknown keys', () => {
    const schema = pipelineJsonSchema() as {
      properties: Record<string, { const?: string; pattern?: string; items?: { additionalProperties?: boolean; properties: Record<string, { pattern?: string }> } }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.properties.format.const).toBe('storyloom/pipeline@1');
    expect(new RegExp(schema.properties.id.pattern!).test('short-screenplay')).toBe(true);
    expect(new RegExp(schema.properties.id.pattern!).test('Short Screenplay')).toBe(false);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.nodes.items!.additionalProperties).toBe(false);
    expect(schema.properties.nodes.items!.properties.writes.pattern).toBeDefined();
    expect(schema.required.sort()).toEqual(['edges', 'format', 'id', 'name', 'nodes']);
    // Every top-level key of a real pipeline is described by the schema.
    for (const key of Object.keys(examplePipeline())) expect(schema.properties[key]).toBeDefined();
  });

  it('an independent validator (ajv) accepts every shipped pipeline and rejects typos and bad ids', () => {
    const validate = new Ajv2020({ allErrors: true, validateFormats: false, allowUnionTypes: true }).compile(JSON.parse(readFileSync(checkedIn, 'utf8')));
    const folder = join(__dirname, '..', '..', '..', '..', 'pipelines');
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.json'))) {
      const ok = validate(JSON.parse(readFileSync(join(folder, file), 'utf8')));
      expect([file, ok, validate.errors ?? []]).toEqual([file, true, []]);
    }
    const typo = { ...examplePipeline(), nodes: [{ id: 'logline', type: 'logline', postion: { x: 0, y: 0 } }] };
    expect(validate(typo)).toBe(false);
    expect(validate.errors).toEqual([expect.objectContaining({ instancePath: '/nodes/0', params: { additionalProperty: 'postion' } })]);
    expect(validate({ ...examplePipeline(), id: 'Bad Id' })).toBe(false);
    expect(validate.errors?.[0].instancePath).toBe('/id');
  });
});
