// The `prompt` node: a prompt the pipeline's author writes, its `{{slot}}` and `{{inputs.NAME}}` references filled from
// story memory and run inputs, answering text or JSON (checked against the JSON Schema in its config) into the slot the
// node names. The offline model cannot follow a free prompt: it answers with the logline and says what it stands in
// for, or with a seeded sample of the schema.
import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { renderTemplate, templateReferences } from '../pipeline/templates';
import { buildPrompt, feedbackSections } from '../story/prompt';
import { SeededRandom, seedOf } from '../story/random';
import { sampleJsonSchema } from '../story/json-schema';
import { premiseOf, readLogline } from '../story/memory';
import { StoryloomError } from '../errors';

/** A JSON Schema object (checked further by `z.fromJSONSchema` when the config is parsed). */
const JsonSchemaObject = z.record(z.string(), z.unknown());

const ConfigSchema = z
  .strictObject({
    template: z.string().min(1),
    output: z.enum(['text', 'json']).default('text'),
    schema: JsonSchemaObject.optional(),
    system: z.string().optional(),
  })
  .superRefine((config, issues) => {
    if (config.output === 'json' && !config.schema) {
      issues.addIssue({ code: 'custom', path: ['schema'], message: 'output "json" needs a JSON Schema in "schema"' });
    }
    if (config.output === 'text' && config.schema) {
      issues.addIssue({ code: 'custom', path: ['schema'], message: '"schema" is only used with output "json"' });
    }
    if (config.schema) {
      try {
        z.fromJSONSchema(config.schema as Parameters<typeof z.fromJSONSchema>[0]);
      } catch (error) {
        issues.addIssue({ code: 'custom', path: ['schema'], message: `not a usable JSON Schema: ${(error as Error).message}` });
      }
    }
  });
type Config = z.infer<typeof ConfigSchema>;

// Every answer is checked against its node's output schema, and building one from a JSON Schema costs far more
// than checking an answer (about 0.25 ms): each is built once per distinct JSON Schema, the most recent kept.
const TEXT_OUTPUT = z.string();
const JSON_OUTPUTS_KEPT = 256;
const jsonOutputs = new Map<string, z.ZodType<unknown>>();

/** The zod schema a json prompt's answer must satisfy. */
export function promptOutputSchema(config: Config): z.ZodType<unknown> {
  if (config.output !== 'json' || !config.schema) return TEXT_OUTPUT;
  const key = JSON.stringify(config.schema);
  let schema = jsonOutputs.get(key);
  if (!schema) {
    schema = z.fromJSONSchema(config.schema as Parameters<typeof z.fromJSONSchema>[0]);
    if (jsonOutputs.size >= JSON_OUTPUTS_KEPT) jsonOutputs.delete(jsonOutputs.keys().next().value!);
    jsonOutputs.set(key, schema);
  }
  return schema;
}

export function promptText(ctx: NodeContext<Config>): string {
  const rendered = renderTemplate(ctx.config.template, { memory: ctx.memory, inputs: ctx.inputs });
  if (ctx.feedback.length === 0) return rendered;
  const previous = typeof ctx.previous === 'string' ? ctx.previous : ctx.previous !== undefined ? JSON.stringify(ctx.previous, null, 2) : undefined;
  return buildPrompt([{ label: 'Task', body: rendered }, ...feedbackSections(ctx.feedback, previous)], 'Do the task again so that every note above is addressed.');
}

/**
 * Offline text: the offline model cannot follow a free-form prompt, so it answers with the story's
 * logline (when there is one) and says plainly what it stands in for. Deterministic; notes change it.
 */
export function offlinePromptText(ctx: NodeContext<Config>, prompt: string): string {
  const firstLine = prompt.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
  const logline = readLogline(ctx.memory);
  const story = logline ? `${logline.title}: ${logline.logline}` : premiseOf(ctx.inputs, ctx.memory);
  const notes = ctx.feedback.length > 0 ? ` Revised for: ${ctx.feedback.join('; ')}` : '';
  const variant = ctx.variant ? `, alternative ${ctx.variant + 1}` : '';
  return `${story}${notes}\n\n(offline model: a stand-in answer to "${firstLine.slice(0, 120)}"${variant})`;
}

export const promptNode: NodeType<Config, unknown> = {
  type: 'prompt',
  title: 'Prompt',
  description: 'A prompt you write: the template may use {{slot}}, {{slot.field}} and {{inputs.NAME}}; answers text or JSON.',
  category: 'custom',
  configSchema: ConfigSchema,
  outputSchema: promptOutputSchema,
  reads: (config) => templateReferences(`${config?.template ?? ''}\n${config?.system ?? ''}`).slots.map((slot) => ({ slot })),
  writes: undefined,
  usesModel: true,
  capabilities: { userPrompt: true },
  templateFields: ['template', 'system'],
  run: async (ctx) => {
    const prompt = promptText(ctx);
    const system = ctx.config.system === undefined ? undefined : renderTemplate(ctx.config.system, { memory: ctx.memory, inputs: ctx.inputs });
    if (ctx.config.output === 'text') {
      return ctx.model.text({ prompt, system, offline: () => offlinePromptText(ctx, prompt) });
    }
    const schema = ctx.config.schema!;
    const answer = await ctx.model.json({
      prompt: `${prompt}\n\nAnswer as JSON matching this schema:\n${JSON.stringify(schema)}`,
      system,
      schema: promptOutputSchema(ctx.config),
      offline: () => sampleJsonSchema(schema, new SeededRandom(seedOf('prompt-json', prompt, ...(ctx.variant ? [ctx.variant] : []))), prompt),
    });
    if (answer === undefined) throw new StoryloomError('model_error', `prompt '${ctx.nodeId}' got no JSON answer`);
    return answer;
  },
};
