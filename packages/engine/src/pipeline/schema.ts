// The pipeline document format (storyloom/pipeline@1) as zod schemas: ids, inputs, nodes, edges, model specs,
// sampling, approvals and budgets. The pipeline JSON Schema is generated from them, so the descriptions given here
// are the ones a JSON editor shows for each field.
import { z } from 'zod';

/** The only pipeline file format this engine reads. */
export const PIPELINE_FORMAT = 'storyloom/pipeline@1';

/** Pipeline ids and node ids: lower-case, digits and dashes, starting with a letter or digit. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Slot names are identifiers so they can appear in `{{slot}}` templates. */
export const SLOT_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

export const MODEL_PROVIDERS = ['offline', 'openai', 'ollama', 'local', 'transformers'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** Providers whose `model` names a file or folder on this machine rather than a model on a server. */
export const FILE_MODEL_PROVIDERS = ['local', 'transformers'] as const;

export const ModelSpecObjectSchema = z.strictObject({
  provider: z.enum(MODEL_PROVIDERS).meta({
    description:
      'offline (built in, no network), openai (any OpenAI-compatible server), ollama, local (a GGUF file run in-process) or transformers (a Transformers ONNX folder run in-process)',
  }),
  model: z.string().min(1).optional().meta({ description: 'The model name; for local and transformers a path, relative to STORYLOOM_MODELS_DIR or absolute.' }),
  baseUrl: z.string().url().optional(),
  temperature: z.number().min(0).max(2).optional().meta({ description: 'Randomness of sampling; 0 always picks the likeliest token.' }),
  maxTokens: z.number().int().positive().optional().meta({ description: 'Upper bound on generated tokens per call.' }),
  topK: z.number().int().positive().optional().meta({ description: 'Sample only among the K likeliest tokens (local, transformers, ollama).' }),
  topP: z.number().gt(0).max(1).optional().meta({ description: 'Sample only among the likeliest tokens whose probabilities add up to P.' }),
  seed: z.number().int().min(0).optional().meta({ description: 'Fixes the random choices, so the same prompt and settings give the same text.' }),
  repeatPenalty: z.number().min(1).max(2).optional().meta({ description: 'Above 1 makes tokens already used less likely (1 = off).' }),
  contextSize: z.number().int().min(64).optional().meta({ description: 'local: tokens the model sees at once (prompt + answer); default the smaller of 4096 and its trained size.' }),
  /** Offline only: simulated latency per model call, for demos and benchmarks. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

/** How a node samples, without choosing its model: a judge at 0, a dialogue writer warmer. */
export const SamplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
});
export type Sampling = z.infer<typeof SamplingSchema>;

/** `"offline"`, `"openai:gpt-4o-mini"`, `"ollama:llama3.1"`, `"local:tiny.gguf"`, `"transformers:gpt2"` or the object form. */
export const ModelSpecSchema = z
  .union([
    z
      .string()
      .regex(
        /^(offline|openai|ollama|local|transformers)(:.+)?$/,
        'model must be "offline", "openai:<model>", "ollama:<model>", "local:<file.gguf>", "transformers:<folder>" or an object',
      ),
    ModelSpecObjectSchema,
  ])
  .meta({
    description:
      'A model: "offline", "openai:<model>", "ollama:<model>", "local:<file.gguf>", "transformers:<folder>" or { provider, model?, baseUrl?, temperature?, maxTokens?, topK?, topP?, seed?, repeatPenalty?, contextSize? }.',
  });

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

export const ApprovalAssignmentSchema = z
  .strictObject({
    role: z
      .enum(['owner', 'editor', 'reviewer'], { error: 'approval role is owner, editor or reviewer (viewers cannot decide approvals)' })
      .optional()
      .meta({ description: 'People of this role decide the approval (owners always may).' }),
    users: z.array(z.string().min(1)).min(1).optional().meta({ description: 'These people (user names) decide it; with role too, either may.' }),
    separateReviewer: z
      .boolean()
      .optional()
      .meta({ description: 'Whoever started the run or edited the draft cannot approve it: someone else must.' }),
  })
  .meta({ description: 'An approval assigned to a role or to named users.' });

export const PipelineNodeSchema = z.strictObject({
  id: z.string().regex(ID_PATTERN, ID_MESSAGE).meta({ description: 'Unique in the pipeline.' }),
  type: z.string().meta({ description: 'A node type of the catalogue (GET /api/node-types): logline, characters, setting, outline, scenes, dialogue, prose, review, prompt, export.' }),
  label: z.string().optional(),
  position: PositionSchema.optional(),
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "Checked against the type's config schema; strings may reference {{inputs.NAME}}." }),
  approval: z
    .union([z.boolean(), ApprovalAssignmentSchema])
    .optional()
    .meta({ description: 'Pause the run after this node until a person approves, edits or rejects its output; an object says who decides.' }),
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

/** What a run may spend; before a node that would pass a limit the run waits for a person (an approval of kind `budget`). */
export const BudgetSchema = z
  .strictObject({
    maxTokens: z.number().int().positive().optional().meta({ description: 'Input and output tokens of every model call of the run, summed.' }),
    maxCostUsd: z.number().positive().optional().meta({ description: 'Estimated USD at the price table (STORYLOOM_PRICES over the shipped defaults).' }),
  })
  .refine((budget) => budget.maxTokens !== undefined || budget.maxCostUsd !== undefined, 'a budget needs maxTokens, maxCostUsd or both')
  .meta({ description: 'Limits on what a run spends; a run\'s own budget overrides these limit by limit.' });

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
    budget: BudgetSchema.optional(),
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
