import { z } from 'zod';

/** The only pipeline file format this engine reads. */
export const PIPELINE_FORMAT = 'storyloom/pipeline@1';

/** Pipeline ids and node ids: lower-case, digits and dashes, starting with a letter or digit. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Slot names are identifiers so they can appear in `{{slot}}` templates. */
export const SLOT_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

export const MODEL_PROVIDERS = ['offline', 'openai', 'ollama'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

export const ModelSpecObjectSchema = z.strictObject({
  provider: z.enum(MODEL_PROVIDERS),
  model: z.string().min(1).optional(),
  baseUrl: z.string().url().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  /** Offline only: simulated latency per model call, for demos and benchmarks. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

/** `"offline"`, `"openai:gpt-4o-mini"`, `"ollama:llama3.1"` or the object form. */
export const ModelSpecSchema = z.union([
  z.string().regex(/^(offline|openai|ollama)(:.+)?$/, 'model must be "offline", "openai:<model>", "ollama:<model>" or an object'),
  ModelSpecObjectSchema,
]);

export const InputDefinitionSchema = z.strictObject({
  type: z.enum(['string', 'text', 'number', 'boolean']),
  required: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string().optional(),
  label: z.string().optional(),
});

export const PositionSchema = z.strictObject({ x: z.number(), y: z.number() });

export const PipelineNodeSchema = z.strictObject({
  id: z.string(),
  type: z.string(),
  label: z.string().optional(),
  position: PositionSchema.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  approval: z.boolean().optional(),
  writes: z.string().optional(),
  model: ModelSpecSchema.optional(),
});

export const PipelineEdgeSchema = z.strictObject({
  id: z.string().optional(),
  source: z.string(),
  target: z.string(),
});

export const PipelineSchema = z.strictObject({
  format: z.literal(PIPELINE_FORMAT),
  id: z.string(),
  name: z.string().min(1),
  description: z.string().optional(),
  inputs: z.record(z.string(), InputDefinitionSchema).optional(),
  model: ModelSpecSchema.optional(),
  nodes: z.array(PipelineNodeSchema),
  edges: z.array(PipelineEdgeSchema),
});

export type ModelSpecObject = z.infer<typeof ModelSpecObjectSchema>;
export type ModelSpec = z.infer<typeof ModelSpecSchema>;
export type InputDefinition = z.infer<typeof InputDefinitionSchema>;
export type PipelineNode = z.infer<typeof PipelineNodeSchema>;
export type PipelineEdge = z.infer<typeof PipelineEdgeSchema>;
export type Pipeline = z.infer<typeof PipelineSchema>;
export type RunInputs = Record<string, string | number | boolean>;
