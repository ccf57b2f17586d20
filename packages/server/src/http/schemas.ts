// Request and answer shapes of the HTTP API. Requests are parsed with these on the way in;
// answers are described by them (and checked against them in tests); /api/openapi.json is generated from them.
import { z } from 'zod';
import {
  APPROVAL_KINDS,
  BudgetSchema as EngineBudgetSchema,
  EVENT_TYPES,
  EXPORT_FORMATS,
  type ExportFormat,
  ModelSpecSchema,
  MODEL_PROVIDERS,
  NODE_STATUSES,
  PAPERS,
  type Paper,
  PIPELINE_FORMAT,
  PipelineSchema,
  RUN_STATUSES,
} from '@storyloom/engine/node';

// ── shared pieces ────────────────────────────────────────────────────────────────────────────────

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Machine-readable error code, e.g. bad_json, invalid_pipeline, not_found, conflict' }),
      message: z.string(),
      details: z.unknown().optional().meta({ description: 'Validation problems `[{ path, code, message }]` for 400s' }),
    }),
  })
  .meta({ title: 'Error' });

export const ValidationProblemSchema = z
  .object({
    path: z.string().meta({ description: 'JSON pointer into the document' }),
    code: z.string(),
    message: z.string(),
  })
  .meta({ title: 'ValidationProblem' });

export const RunStatusSchema = z.enum(RUN_STATUSES);
export const NodeStatusSchema = z.enum(NODE_STATUSES);
export const ExportFormatSchema = z.enum(EXPORT_FORMATS as [ExportFormat, ...ExportFormat[]]);

/** A pipeline document as stored and answered. */
export const PipelineOutSchema = PipelineSchema.meta({ title: 'Pipeline', description: 'A storyloom/pipeline@1 document' });

/** A draft version as saved: only the draft minimum is guaranteed (the engine's `draftProblems`). */
export const PipelineDraftOutSchema = z
  .looseObject({
    format: z.literal(PIPELINE_FORMAT),
    id: z.string(),
    name: z.string().optional(),
    nodes: z.array(z.unknown()),
    edges: z.array(z.unknown()),
  })
  .meta({ title: 'PipelineDraft', description: 'A pipeline document saved as a draft: it may fail validation (see `errors`)' });

/**
 * Where a request carries a pipeline document, the HTTP layer accepts any JSON value and leaves it to the
 * engine's `validatePipeline`, which lists every problem at once (with suggestions) instead of zod's first
 * structural complaint. The OpenAPI document still shows the real shape (see `documentedAs`).
 */
export const documentedAs = new WeakMap<z.ZodType, z.ZodType>();
function acceptedAs<T extends z.ZodType>(accepted: T, documented: z.ZodType): T {
  documentedAs.set(accepted, documented);
  return accepted;
}
export const PipelineDocumentSchema = acceptedAs(z.unknown(), PipelineOutSchema);

const RunInputValueSchema = z.union([z.string(), z.number(), z.boolean()]);
const timestamp = z.string().meta({ description: 'ISO 8601 time' });

// ── params and queries ───────────────────────────────────────────────────────────────────────────

export const PipelineIdParamsSchema = z.object({ id: z.string().min(1).meta({ description: 'Pipeline id' }) });
export const PipelineVersionParamsSchema = z.object({
  id: z.string().min(1).meta({ description: 'Pipeline id' }),
  version: z.coerce.number().int().positive().meta({ description: 'Version number (1, 2, 3 …)' }),
});
export const RunIdParamsSchema = z.object({ id: z.string().min(1).meta({ description: 'Run id' }) });
export const ApprovalParamsSchema = z.object({
  id: z.string().min(1).meta({ description: 'Run id' }),
  nodeId: z.string().min(1).meta({ description: 'Id of the node waiting for approval' }),
});

const draftFlag = z.enum(['true', 'false']).optional();

export const CreatePipelineQuerySchema = z.strictObject({
  draft: draftFlag.meta({
    description: '`true`: store the document even if it fails validation, as a draft version (`valid: false`, not runnable)',
  }),
});

/** Runs per page of `GET /api/runs`: the list answers in bounded pieces however many runs the database holds. */
export const DEFAULT_RUNS_PER_PAGE = 100;
export const MAX_RUNS_PER_PAGE = 500;

// GET queries ignore unknown parameters (z.object strips them): a cache-busting `?_=123` must not break a read.

export const RunListQuerySchema = z.object({
  pipelineId: z.string().min(1).optional(),
  status: RunStatusSchema.optional(),
  view: z.enum(['full', 'summary']).default('full').meta({
    description: '`summary`: each run without node outputs and approval drafts (statuses, errors and usage only), for short lists',
  }),
  limit: z.coerce.number().int().min(1).max(MAX_RUNS_PER_PAGE).default(DEFAULT_RUNS_PER_PAGE).meta({
    description: `Runs per page, newest first (default ${DEFAULT_RUNS_PER_PAGE}, at most ${MAX_RUNS_PER_PAGE}); the next page's cursor is in the \`X-Next-Cursor\` and \`Link\` headers`,
  }),
  cursor: z.string().min(1).max(500).optional().meta({ description: 'Continue after the page that answered with this cursor (`X-Next-Cursor`)' }),
});

export const RunEventsQuerySchema = z.object({
  lastEventId: z.coerce.number().int().min(0).optional().meta({
    description: 'Resume after this seq (same as the Last-Event-ID header, for clients that cannot set headers)',
  }),
  access_token: z.string().optional().meta({ description: 'API key, for EventSource clients that cannot send headers' }),
});

export const ExportQuerySchema = z.object({
  format: ExportFormatSchema.default('fountain'),
  paper: z.enum(PAPERS as [Paper, ...Paper[]]).optional().meta({ description: 'PDF paper: `letter` (the default) or `a4`' }),
  sceneNumbers: z.enum(['true', 'false']).optional().meta({ description: 'PDF: `true` numbers each scene heading in both margins' }),
  contact: z.string().max(500).optional().meta({ description: "PDF: contact lines for the title page, separated by ';'" }),
});

// ── request bodies ───────────────────────────────────────────────────────────────────────────────

export const SavePipelineBodySchema = z
  .strictObject({
    baseVersion: z.number().int().positive().meta({ description: 'The version this edit started from; 409 if it is no longer the latest' }),
    pipeline: PipelineDocumentSchema,
    draft: z.boolean().optional().meta({
      description: 'true: store it even if it fails validation, as a draft version (`valid: false`, not runnable)',
    }),
  })
  .meta({ title: 'SavePipelineRequest' });

export const StartRunBodySchema = z
  .strictObject({
    pipelineId: z.string().min(1).optional().meta({ description: 'A saved pipeline to run (or give `pipeline`)' }),
    version: z.number().int().positive().optional().meta({ description: 'Version of the saved pipeline; default the latest' }),
    pipeline: acceptedAs(z.unknown().optional().meta({ description: 'An inline pipeline document (instead of `pipelineId`)' }), PipelineOutSchema),
    inputs: z.record(z.string(), RunInputValueSchema).default({}),
    model: ModelSpecSchema.optional(),
    autoApprove: z.boolean().optional(),
    budget: z.lazy(() => BudgetSchema).optional().meta({ description: "Limits for this run over the pipeline's own budget, limit by limit" }),
  })
  .superRefine((body, ctx) => {
    if ((body.pipelineId === undefined) === (body.pipeline === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['pipelineId'], message: 'give exactly one of "pipelineId" or "pipeline"' });
    }
    if (body.version !== undefined && body.pipelineId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: '"version" needs "pipelineId"' });
    }
  })
  .meta({ title: 'StartRunRequest' });

export const DecisionBodySchema = z
  .discriminatedUnion('decision', [
    z.strictObject({
      decision: z.literal('approve'),
      budget: z.lazy(() => BudgetSchema).optional().meta({ description: 'At a `budget` approval: new limits (without one, the run goes on with no budget)' }),
    }),
    z.strictObject({
      decision: z.literal('edit'),
      output: z.unknown().meta({ description: "Replacement output; must fit the node type's output schema" }),
    }),
    z.strictObject({
      decision: z.literal('reject'),
      feedback: z.string().trim().min(1).optional().meta({ description: "What the node should change (required, except at a `budget` approval, where reject cancels the run)" }),
    }),
    z.strictObject({
      decision: z.literal('choose'),
      candidate: z.number().int().min(0).meta({ description: 'The 0-based number of the candidate to keep (see the pending entry’s candidates)' }),
      output: z.unknown().optional().meta({ description: "The chosen candidate, edited; must fit the node type's output schema" }),
    }),
  ])
  .meta({ title: 'ApprovalDecision' });

export const RerunBodySchema = z
  .strictObject({
    from: z.string().min(1).meta({ description: 'Node id to recompute from' }),
    edits: z.record(z.string(), z.unknown()).optional().meta({ description: 'Replacement outputs by node id' }),
    config: z.record(z.string(), z.record(z.string(), z.unknown())).optional().meta({ description: 'Config changes by node id, merged into the node config (a null value removes a key)' }),
  })
  .meta({ title: 'RerunRequest' });

// ── answers ──────────────────────────────────────────────────────────────────────────────────────

const ComponentHealthSchema = z.object({ ok: z.boolean(), kind: z.string(), error: z.string().optional() });

export const HealthSchema = z
  .object({
    ok: z.boolean(),
    version: z.string(),
    /** The database: `sqlite` (the embedded file) or `postgres`. */
    database: ComponentHealthSchema,
    /** Where runs are dispatched: `in-process` (this server drives them) or `bullmq` (workers do). */
    queue: ComponentHealthSchema,
  })
  .meta({ title: 'Health' });

export const NodeTypeDescriptionSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string().optional(),
    reads: z.array(z.unknown()),
    readsInputs: z.array(z.unknown()).optional().meta({ description: 'Run inputs read directly, not through a slot (e.g. the premise)' }),
    writes: z.string().optional(),
    usesModel: z.boolean().optional(),
    templateFields: z.array(z.string()).optional(),
    configSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the config' }),
    outputSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the output' }),
  })
  .meta({ title: 'NodeType' });

export const ModelAvailabilitySchema = z
  .object({
    provider: z.enum(MODEL_PROVIDERS),
    available: z.boolean().meta({ description: 'Configured by the environment (not a network check)' }),
    models: z.array(z.string()).optional().meta({ description: 'Model names known without asking the server (the default one)' }),
    default: z.boolean().meta({ description: 'The provider runs use when no model is named (STORYLOOM_MODEL, else offline)' }),
    defaultModel: z.string().optional().meta({ description: 'On the default provider: the default model, e.g. "openai:gpt-4o-mini"' }),
    note: z.string(),
  })
  .meta({ title: 'ModelProviderAvailability' });

export const ValidationResultSchema = z
  .object({ valid: z.boolean(), errors: z.array(ValidationProblemSchema) })
  .meta({ title: 'ValidationResult' });

export const StoredPipelineSchema = z
  .object({
    id: z.string(),
    version: z.number().int().positive(),
    pipeline: z.union([PipelineOutSchema, PipelineDraftOutSchema]),
    valid: z.boolean().meta({ description: 'False for a draft version: saved with validation problems, cannot be run' }),
    errors: z.array(ValidationProblemSchema).meta({ description: 'Validation problems of this version when saved' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ title: 'StoredPipeline' });

export const PipelineVersionInfoSchema = z
  .object({
    version: z.number().int().positive(),
    createdAt: timestamp,
    name: z.string(),
    valid: z.boolean().meta({ description: 'False for a draft version' }),
    problemCount: z.number().int().min(0),
  })
  .meta({ title: 'PipelineVersion' });

const TokenUsageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  calls: z.number(),
  costUsd: z.number().optional().meta({ description: 'Estimated USD at the price table (STORYLOOM_PRICES over the shipped defaults)' }),
  unpriced: z.boolean().optional().meta({ description: 'Some calls ran on a model the price table does not list; costUsd leaves them out' }),
});

const AttemptUsageSchema = TokenUsageSchema.extend({
  attempt: z.number().int().positive(),
  source: z.enum(['model', 'revision']),
  status: z.enum(['completed', 'failed', 'cancelled']),
  model: z.string().optional(),
  candidates: z.number().int().optional(),
  at: z.string(),
});

export const BudgetSchema = EngineBudgetSchema.meta({
  title: 'Budget',
  description: 'Limits on what a run spends; before a node that would pass one the run waits at an approval of kind `budget`',
});

export const BudgetCheckSchema = z
  .object({
    budget: BudgetSchema,
    spent: TokenUsageSchema.meta({ description: 'What the run had spent when the node was about to start' }),
    estimate: TokenUsageSchema.extend({ model: z.string() }).meta({ description: "The node's prompt size and maxTokens per planned call, at its model's price" }),
    passes: z.array(z.enum(['maxTokens', 'maxCostUsd'])),
  })
  .meta({ title: 'BudgetCheck', description: 'The draft of a `budget` approval' });

const DailyUsageSchema = TokenUsageSchema.extend({ day: z.string().meta({ description: 'YYYY-MM-DD (UTC)' }), runs: z.number().int() });

export const PipelineCostSchema = z
  .object({
    pipelineId: z.string(),
    since: z.string().meta({ description: 'The first day counted (YYYY-MM-DD, UTC); the last is today' }),
    days: z.number().int(),
    total: TokenUsageSchema.extend({ runs: z.number().int() }),
    daily: z.array(DailyUsageSchema).meta({ description: 'Days on which the runs spent anything, oldest first' }),
  })
  .meta({ title: 'PipelineCost' });

export const PipelineCostQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30).meta({ description: 'Days back from today, today included (1–366, default 30)' }),
});

export const NodeStateSchema = z.object({
  status: NodeStatusSchema,
  output: z.unknown().optional(),
  error: z.string().optional(),
  usage: TokenUsageSchema.optional().meta({ description: 'Every execution of the node summed' }),
  attempts: z.array(AttemptUsageSchema).optional().meta({ description: 'Each execution (redraft, revision, retry) with its own figures' }),
});

const ApprovalKindSchema = z.enum(APPROVAL_KINDS).meta({
  description: '`policy`: content-policy flags on a review; `budget`: the node would take the run past its budget (the draft is a BudgetCheck)',
});

export const PendingApprovalSchema = z.object({ nodeId: z.string(), draft: z.unknown(), kind: ApprovalKindSchema.optional() });

export const RunViewSchema = z
  .object({
    id: z.string(),
    pipelineId: z.string(),
    version: z.number().int().positive().nullable().meta({ description: 'Saved version it ran; null for an inline pipeline' }),
    status: RunStatusSchema,
    inputs: z.record(z.string(), RunInputValueSchema),
    model: ModelSpecSchema.optional(),
    nodes: z.record(z.string(), NodeStateSchema),
    pending: z.array(PendingApprovalSchema),
    parentRunId: z.string().optional(),
    error: z.string().optional(),
    usage: TokenUsageSchema.optional().meta({ description: 'Every node of the run summed' }),
    budget: BudgetSchema.optional(),
    interrupted: z.boolean().optional().meta({ description: 'A running run that no live process drives (killed or shut down): resume it' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ title: 'Run' });

/** A run in `GET /api/runs?view=summary`: as RunView, without outputs and drafts. */
export const RunSummarySchema = RunViewSchema.extend({
  nodes: z.record(z.string(), NodeStateSchema.omit({ output: true })),
  pending: z.array(PendingApprovalSchema.omit({ draft: true })),
}).meta({ title: 'RunSummary' });

export const AcceptedRunSchema = z.object({ id: z.string(), status: RunStatusSchema }).meta({ title: 'AcceptedRun' });

export const ApprovalInboxEntrySchema = z
  .object({
    runId: z.string(),
    pipelineId: z.string(),
    nodeId: z.string(),
    draft: z.unknown(),
    kind: ApprovalKindSchema.optional(),
    requestedAt: timestamp,
  })
  .meta({ title: 'PendingApproval' });

export const RunEventSchema = z
  .object({
    seq: z.number().int().positive(),
    runId: z.string(),
    type: z.enum(EVENT_TYPES),
    nodeId: z.string().optional(),
    at: timestamp,
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ title: 'RunEvent', description: 'Sent as the `data:` of each SSE message, with `id:` = seq' });

export const OpenApiDocumentSchema = z.record(z.string(), z.unknown()).meta({ title: 'OpenAPIDocument' });
