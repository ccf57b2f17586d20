// The contract's shapes as zod schemas, for adapters that check or describe them (the server parses requests
// and generates its OpenAPI document from these). Each is checked by the compiler against the type it
// describes, so the types and the schemas cannot drift apart.
import { z } from 'zod';
import type { ValidationProblem } from '../errors';
import { BudgetSchema, MODEL_PROVIDERS, ModelSpecSchema, PIPELINE_FORMAT, PipelineSchema } from '../pipeline/schema';
import { USER_ROLES, type Actor } from './actor';
import type { AcceptedRun, ApprovalInboxEntry, AvailableModel, ValidationAnswer } from './api';
import { EVENT_TYPES, type RunEvent, type RunEventDataMap, type RunEventType } from './events';
import { EXPORT_FORMATS, TEXT_EXPORT_FORMATS } from './export-formats';
import {
  APPROVAL_KINDS,
  NODE_STATUSES,
  RUN_STATUSES,
  type ApprovalDecision,
  type AttemptUsage,
  type Budget,
  type BudgetCheck,
  type DailyUsage,
  type NodeState,
  type PipelineCost,
  type PendingApproval,
  type RerunRequest,
  type RunView,
  type TokenUsage,
} from './run-view';
import type { PipelineVersionInfo, StoredPipeline } from './stored-pipeline';

/** True when the two types have the same keys; used with `satisfies` to catch a field added to one side only. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
function sameKeys<A, B>(ok: SameKeys<A, B>): void {
  void ok;
}

const timestamp = z.string().meta({ description: 'ISO 8601 time' });
const RunInputValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const RunStatusSchema = z.enum(RUN_STATUSES);
export const NodeStatusSchema = z.enum(NODE_STATUSES);
export const ExportFormatSchema = z.enum(EXPORT_FORMATS);
export const TextExportFormatSchema = z.enum(TEXT_EXPORT_FORMATS);

const ProblemFixSchema = z
  .object({
    kind: z.literal('connect'),
    source: z.string().meta({ description: 'The node that writes what the target needs' }),
    target: z.string(),
  })
  .meta({ title: 'ProblemFix', description: 'A change that resolves the problem: here, an edge from source to target' });

export const ValidationProblemSchema = z
  .object({
    path: z.string().meta({ description: 'JSON pointer into the document' }),
    code: z.string(),
    message: z.string(),
    fix: ProblemFixSchema.optional(),
  })
  .meta({ title: 'ValidationProblem' }) satisfies z.ZodType<ValidationProblem>;

export const ActorSchema = z
  .object({ id: z.string(), name: z.string(), role: z.enum(USER_ROLES) })
  .meta({ title: 'Actor', description: 'Who did something: a user, or an owner key' }) satisfies z.ZodType<Actor>;

export const TokenUsageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  calls: z.number(),
  costUsd: z.number().optional().meta({ description: 'Estimated USD at the price table (STORYLOOM_PRICES over the shipped defaults)' }),
  unpriced: z.boolean().optional().meta({ description: 'Some calls ran on a model the price table does not list; costUsd leaves them out' }),
}) satisfies z.ZodType<TokenUsage>;
sameKeys<z.infer<typeof TokenUsageSchema>, TokenUsage>(true);

export const AttemptUsageSchema = TokenUsageSchema.extend({
  attempt: z.number().int().positive(),
  source: z.enum(['model', 'revision']),
  status: z.enum(['completed', 'failed', 'cancelled']),
  model: z.string().optional(),
  candidates: z.number().int().optional(),
  at: z.string(),
}) satisfies z.ZodType<AttemptUsage>;
sameKeys<z.infer<typeof AttemptUsageSchema>, AttemptUsage>(true);

// One budget schema for pipeline files, run requests and decisions: the pipeline format's.
export { BudgetSchema };
sameKeys<z.infer<typeof BudgetSchema>, Budget>(true);

export const BudgetCheckSchema = z
  .object({
    budget: BudgetSchema,
    spent: TokenUsageSchema.meta({ description: 'What the run had spent when the node was about to start' }),
    estimate: TokenUsageSchema.extend({ model: z.string() }).meta({ description: "The node's prompt size and maxTokens per planned call, at its model's price" }),
    passes: z.array(z.enum(['maxTokens', 'maxCostUsd'])),
  })
  .meta({ title: 'BudgetCheck', description: 'The draft of a `budget` approval: the node has not run' }) satisfies z.ZodType<BudgetCheck>;
sameKeys<z.infer<typeof BudgetCheckSchema>, BudgetCheck>(true);

export const DailyUsageSchema = TokenUsageSchema.extend({
  day: z.string().meta({ description: 'YYYY-MM-DD (UTC)' }),
  runs: z.number().int().meta({ description: 'Runs that spent anything that day' }),
}) satisfies z.ZodType<DailyUsage>;

export const PipelineCostSchema = z
  .object({
    pipelineId: z.string(),
    since: z.string().meta({ description: 'The first day counted (YYYY-MM-DD, UTC); the last is today' }),
    days: z.number().int(),
    total: TokenUsageSchema.extend({ runs: z.number().int().meta({ description: 'Distinct runs that spent anything in the period (a run spending on two days counts once)' }) }),
    daily: z.array(DailyUsageSchema).meta({ description: 'Days on which the runs spent anything, oldest first' }),
  })
  .meta({ title: 'PipelineCost' }) satisfies z.ZodType<PipelineCost>;
sameKeys<z.infer<typeof PipelineCostSchema>, PipelineCost>(true);

export const NodeStateSchema = z.object({
  status: NodeStatusSchema,
  output: z.unknown().optional(),
  candidates: z.array(z.unknown()).optional().meta({ description: 'A node with `candidates`: every alternative its output was chosen from' }),
  error: z.string().optional(),
  usage: TokenUsageSchema.optional().meta({ description: 'Every execution of the node summed' }),
  attempts: z.array(AttemptUsageSchema).optional().meta({ description: 'Each execution (redraft, revision, retry) with its own figures' }),
}) satisfies z.ZodType<NodeState>;
sameKeys<z.infer<typeof NodeStateSchema>, NodeState>(true);

export const PendingApprovalSchema = z.object({
  nodeId: z.string(),
  draft: z.unknown(),
  candidates: z.array(z.unknown()).optional().meta({ description: 'Every alternative the node wrote; decide with `choose`' }),
  kind: z.enum(APPROVAL_KINDS).optional().meta({ description: 'Why the gate asks: absent for a node’s own approval' }),
}) satisfies z.ZodType<PendingApproval>;
sameKeys<z.infer<typeof PendingApprovalSchema>, PendingApproval>(true);

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
    startedBy: ActorSchema.optional().meta({ description: 'Who started the run (or the rerun)' }),
    error: z.string().optional(),
    usage: TokenUsageSchema.optional().meta({ description: 'Every node of the run summed' }),
    budget: BudgetSchema.optional(),
    interrupted: z.boolean().optional().meta({ description: 'A running run that no live process drives (killed or shut down): resume it' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ title: 'Run' }) satisfies z.ZodType<RunView>;
sameKeys<z.infer<typeof RunViewSchema>, RunView>(true);

/** A run in `GET /api/runs?view=summary`: as RunView, without outputs and drafts. */
export const RunSummarySchema = RunViewSchema.extend({
  nodes: z.record(z.string(), NodeStateSchema.omit({ output: true, candidates: true })),
  pending: z.array(PendingApprovalSchema.omit({ draft: true, candidates: true })),
}).meta({ title: 'RunSummary' });

export const ApprovalDecisionSchema = z
  .discriminatedUnion('decision', [
    z.strictObject({
      decision: z.literal('approve'),
      budget: BudgetSchema.optional().meta({ description: 'At a `budget` approval: new limits (without one, the run goes on with no budget)' }),
    }),
    z.strictObject({
      decision: z.literal('edit'),
      output: z.unknown().meta({ description: "Replacement output; must fit the node type's output schema" }),
    }),
    z.strictObject({
      decision: z.literal('reject'),
      feedback: z.string().trim().min(1).optional().meta({ description: 'What the node should change: required, except at a `budget` approval (reject cancels the run)' }),
    }),
    z.strictObject({
      decision: z.literal('choose'),
      candidate: z.number().int().min(0).meta({ description: 'The 0-based number of the candidate to keep (see the pending entry’s candidates)' }),
      output: z.unknown().optional().meta({ description: "The chosen candidate, edited; must fit the node type's output schema" }),
    }),
  ])
  .meta({ title: 'ApprovalDecision' }) satisfies z.ZodType<ApprovalDecision>;

export const RerunRequestSchema = z
  .strictObject({
    from: z.string().min(1).meta({ description: 'Node id to recompute from' }),
    edits: z.record(z.string(), z.unknown()).optional().meta({ description: 'Replacement outputs by node id' }),
    config: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .optional()
      .meta({ description: 'Config changes by node id, merged into the node config (a null value removes a key)' }),
  })
  .meta({ title: 'RerunRequest' }) satisfies z.ZodType<RerunRequest>;
sameKeys<z.infer<typeof RerunRequestSchema>, RerunRequest>(true);

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
// A draft's document is looser than `Pipeline` (the type promises only what a valid version holds): keys only.
sameKeys<z.infer<typeof StoredPipelineSchema>, StoredPipeline>(true);

export const PipelineVersionInfoSchema = z
  .object({
    version: z.number().int().positive(),
    createdAt: timestamp,
    name: z.string(),
    valid: z.boolean().meta({ description: 'False for a draft version' }),
    problemCount: z.number().int().min(0),
    savedBy: ActorSchema.optional().meta({ description: 'Who saved this version (absent for versions saved before anyone was identified)' }),
  })
  .meta({ title: 'PipelineVersion' }) satisfies z.ZodType<PipelineVersionInfo>;
sameKeys<z.infer<typeof PipelineVersionInfoSchema>, PipelineVersionInfo>(true);

export const ValidationResultSchema = z
  .object({ valid: z.boolean(), errors: z.array(ValidationProblemSchema) })
  .meta({ title: 'ValidationResult' }) satisfies z.ZodType<ValidationAnswer>;

export const AcceptedRunSchema = z.object({ id: z.string(), status: RunStatusSchema }).meta({ title: 'AcceptedRun' }) satisfies z.ZodType<AcceptedRun>;

export const ApprovalInboxEntrySchema = PendingApprovalSchema.extend({
  runId: z.string(),
  pipelineId: z.string(),
  requestedAt: timestamp,
  startedBy: ActorSchema.optional(),
  assignedTo: z.string().optional().meta({ description: 'Who the gate is for ("reviewers", "ana or ben"); absent when anyone who decides may' }),
  mine: z.boolean().optional().meta({ description: 'Whether the gate is the caller’s: assigned to them, or to no one in particular' }),
}).meta({ title: 'PendingApproval' }) satisfies z.ZodType<ApprovalInboxEntry>;
sameKeys<z.infer<typeof ApprovalInboxEntrySchema>, ApprovalInboxEntry>(true);

export const ModelAvailabilitySchema = z
  .object({
    provider: z.enum(MODEL_PROVIDERS),
    available: z.boolean().meta({ description: 'Configured by the environment (not a network check)' }),
    models: z.array(z.string()).optional().meta({ description: 'Model names known without asking the server (the default one)' }),
    default: z.boolean().meta({ description: 'The provider runs use when no model is named (STORYLOOM_MODEL, else offline)' }),
    defaultModel: z.string().optional().meta({ description: 'On the default provider: the default model, e.g. "openai:gpt-4o-mini"' }),
    note: z.string(),
  })
  .meta({ title: 'ModelProviderAvailability' }) satisfies z.ZodType<AvailableModel>;
sameKeys<z.infer<typeof ModelAvailabilitySchema>, AvailableModel>(true);

// ── the event log ────────────────────────────────────────────────────────────────────────────────

const attempt = z.number().int().positive();
const flag = z.literal(true).optional();

/** Each event type's `data`, as written and read back (outputs and drafts attached on read). */
export const RUN_EVENT_DATA_SCHEMAS = {
  'run.started': z.object({ pipelineId: z.string(), version: z.number().int().positive().nullable(), inputs: z.record(z.string(), RunInputValueSchema) }),
  'node.started': z.object({ attempt, revision: flag }),
  'node.token': z.object({ text: z.string(), label: z.string().optional() }),
  'node.retry': z.object({ attempt: z.number().int(), delayMs: z.number(), error: z.string(), label: z.string().optional() }),
  'node.completed': z.object({
    attempt,
    usage: TokenUsageSchema,
    attemptUsage: TokenUsageSchema.optional(),
    output: z.unknown().optional(),
    revision: flag,
    candidates: z.number().int().optional(),
    reused: flag,
    edited: flag,
  }),
  'node.failed': z.object({ attempt, error: z.string(), usage: TokenUsageSchema.optional(), attemptUsage: TokenUsageSchema.optional() }),
  'approval.requested': z.object({
    attempt,
    draft: z.unknown().optional(),
    autoApprove: flag,
    kind: z.enum(APPROVAL_KINDS).optional(),
    flags: z.array(z.unknown()).optional(),
    check: BudgetCheckSchema.optional(),
  }),
  'approval.resolved': z.object({
    attempt,
    decision: z.enum(['approve', 'edit', 'reject', 'choose']),
    auto: flag,
    feedback: z.string().optional(),
    candidate: z.number().int().min(0).optional(),
    kind: z.enum(APPROVAL_KINDS).optional(),
    budget: BudgetSchema.nullable().optional(),
    output: z.unknown().optional(),
    actor: ActorSchema.optional(),
  }),
  'run.waiting': z.object({ pending: z.array(z.string()) }),
  'run.completed': z.object({}),
  'run.failed': z.object({ error: z.string() }),
  'run.cancelled': z.object({ reason: z.literal('budget').optional(), nodeId: z.string().optional() }),
} satisfies { [T in RunEventType]: z.ZodType<RunEventDataMap[T]> };

function eventSchema<T extends RunEventType>(type: T) {
  return z.object({
    seq: z.number().int().positive(),
    runId: z.string(),
    type: z.literal(type),
    nodeId: z.string().optional(),
    at: timestamp,
    data: RUN_EVENT_DATA_SCHEMAS[type],
    actor: ActorSchema.optional(),
  });
}

const [firstType, ...otherTypes] = EVENT_TYPES;
export const RunEventSchema = z
  .discriminatedUnion('type', [eventSchema(firstType), ...otherTypes.map((type) => eventSchema(type))])
  .meta({ title: 'RunEvent', description: 'Sent as the `data:` of each SSE message, with `id:` = seq; one `data` shape per `type`' });

/** Reads an event that came over the wire: the typed event, or a description of what is wrong with it. */
export function parseRunEvent(value: unknown): { ok: true; event: RunEvent } | { ok: false; problem: string } {
  const parsed = RunEventSchema.safeParse(value);
  if (parsed.success) return { ok: true, event: parsed.data as RunEvent };
  return { ok: false, problem: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ') };
}
