// The pipeline format as JSON Schema, generated from the zod schema so the two cannot drift apart.
// Checked in at packages/engine/schema/pipeline.schema.json for editors (VS Code "$schema", etc.).
import { z } from 'zod';
import { PIPELINE_FORMAT, PipelineSchema } from './schema';

export const PIPELINE_SCHEMA_ID = 'https://storyloom.dev/schema/pipeline.schema.json';

/**
 * The JSON Schema of `storyloom/pipeline@1`. It checks the file's shape only; node configs, slots and the
 * graph are checked by `validatePipeline`, which knows the node catalogue.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, ...rest } = z.toJSONSchema(PipelineSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema,
    $id: PIPELINE_SCHEMA_ID,
    title: title ?? 'Storyloom pipeline',
    description: `${description ?? `A ${PIPELINE_FORMAT} story pipeline.`} This schema checks the shape only; node configs, slots and the graph are checked by Storyloom's validator (storyloom validate <file>).`,
    ...rest,
  };
}

/** The checked-in file's exact text: two-space JSON with a final newline. */
export function pipelineJsonSchemaText(): string {
  return `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
}
