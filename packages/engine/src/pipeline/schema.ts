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
  provider: z.enum(MODEL_PROVIDERS).meta({ description: 'offline (built in, no network), openai (any OpenAI-compatible server) or ollama' }),
  model: z.string().min(1).optional(),
  baseUrl: z.string().url().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  /** Offline only: simulated latency per model call, for demos and benchmarks. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

/** How a node samples, without choosing its model: a judge at 0, a dialogue writer warmer. */
export const SamplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
});
export type Sampling = z.infer<typeof SamplingSchema>;

/** `"offline"`, `"openai:gpt-4o-mini"`, `"ollama:llama3.1"` or the object form. */
export const ModelSpecSchema = z
  .union([
    z.string().regex(/^(offline|openai|ollama)(:.+)?$/, 'model must be "offline", "openai:<model>", "ollama:<model>" or an object'),
    ModelSpecObjectSchema,
  ])
  .meta({ description: 'A model: "offline", "openai:<model>", "ollama:<model>" or { provider, model?, baseUrl?, temperature?, maxTokens? }.' });

/** Input names appear in `{{inputs.NAME}}` references and as `--input NAME=…` on the command line. */
export const INPUT_NAME_PATTERN = SLOT_PATTERN;

const ID_MESSAGE = 'ids are 1–64 characters: lower-case letters, digits and dashes, starting with a letter or digit';

export const InputDefinitionSchema = z
  .strictObject({
    type: z.enum(['string', 'text', 'number', 'boolean']).meta({ description: 'text is a multi-line string' }),
    required: z.boolean().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional().meta({ description: 'Must have the declared type.' }),
    description: z.string().optional(),
    label: z.string().optional(),
  })
  .meta({ description: 'A value given when a run starts; referenced as {{inputs.NAME}}.' });

export const PositionSchema = z.strictObject({ x: z.number(), y: z.number() }).meta({ description: 'Where the editor draws the node.' });

export const PipelineNodeSchema = z.strictObject({
  id: z.string().regex(ID_PATTERN, ID_MESSAGE).meta({ description: 'Unique in the pipeline.' }),
  type: z.string().meta({ description: 'A node type of the catalogue (GET /api/node-types): logline, characters, setting, outline, scenes, dialogue, prose, review, prompt, export.' }),
  label: z.string().optional(),
  position: PositionSchema.optional(),
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "Checked against the type's config schema; strings may reference {{inputs.NAME}}." }),
  approval: z.boolean().optional().meta({ description: 'Pause the run after this node until a person approves, edits or rejects its output.' }),
  writes: z
    .string()
    .regex(SLOT_PATTERN, 'slot names are identifiers: letters, digits and _, not starting with a digit')
    .optional()
    .meta({ description: "The memory slot this node writes, instead of its type's default (required for prompt nodes)." }),
  model: ModelSpecSchema.optional(),
  candidates: z.number().int().min(2).max(8).optional().meta({
    description: 'Write this many alternative outputs: at its approval a person chooses one; without one, the one the checks find fewest problems in goes on.',
  }),
  sampling: SamplingSchema.optional().meta({
    description: "Sampling for this node's model calls, whichever model runs them (a run's own model settings win).",
  }),
});

export const PipelineEdgeSchema = z.strictObject({
  id: z.string().optional(),
  source: z.string().meta({ description: 'Id of the upstream node.' }),
  target: z.string().meta({ description: 'Id of the downstream node.' }),
});

export const PipelineSchema = z
  .strictObject({
    /** Lets editors find the JSON Schema (packages/engine/schema/pipeline.schema.json); ignored by the engine. */
    $schema: z.string().optional(),
    format: z.literal(PIPELINE_FORMAT),
    id: z.string().regex(ID_PATTERN, ID_MESSAGE),
    name: z.string().min(1, 'name must not be empty'),
    description: z.string().optional(),
    inputs: z
      .record(z.string().regex(INPUT_NAME_PATTERN, 'input names are identifiers: letters, digits and _, not starting with a digit'), InputDefinitionSchema)
      .optional(),
    model: ModelSpecSchema.optional(),
    nodes: z.array(PipelineNodeSchema),
    edges: z.array(PipelineEdgeSchema).meta({ description: 'Directed edges; the graph must be acyclic.' }),
  })
  .meta({
    title: 'Storyloom pipeline',
    description: 'A story pipeline (storyloom/pipeline@1): nodes of the Storyloom catalogue joined by edges into a DAG.',
  });

export type ModelSpecObject = z.infer<typeof ModelSpecObjectSchema>;
export type ModelSpec = z.infer<typeof ModelSpecSchema>;
export type InputDefinition = z.infer<typeof InputDefinitionSchema>;
export type PipelineNode = z.infer<typeof PipelineNodeSchema>;
export type PipelineEdge = z.infer<typeof PipelineEdgeSchema>;
export type Pipeline = z.infer<typeof PipelineSchema>;
export type RunInputs = Record<string, string | number | boolean>;
