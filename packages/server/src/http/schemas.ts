// Request and answer shapes of the HTTP API. Requests are parsed with these on the way in;
// answers are described by them (and checked against them in tests); /api/openapi.json is generated from them.
import { z } from 'zod';
import {
  ApprovalDecisionSchema,
  BudgetSchema,
  ExportFormatSchema,
  ModelSpecSchema,
  PAPERS,
  type Paper,
  PipelineOutSchema,
  RerunRequestSchema,
  RunStatusSchema,
  ActorSchema,
  AUDIT_ACTIONS,
  USER_ROLES,
} from '@storyloom/engine/node';

// The shapes runs, pipelines and events have everywhere come from the engine's contract; this file adds only
// what is particular to HTTP (params, queries, request bodies, errors).
export {
  AcceptedRunSchema,
  ApprovalInboxEntrySchema,
  BudgetSchema,
  ExportFormatSchema,
  ModelAvailabilitySchema,
  NodeStateSchema,
  NodeStatusSchema,
  PendingApprovalSchema,
  PipelineCostSchema,
  PipelineDraftOutSchema,
  PipelineOutSchema,
  PipelineVersionInfoSchema,
  RunEventSchema,
  RunStatusSchema,
  RunSummarySchema,
  RunViewSchema,
  StoredPipelineSchema,
  ValidationProblemSchema,
  ValidationResultSchema,
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

// ── params and queries ───────────────────────────────────────────────────────────────────────────

export const PipelineIdParamsSchema = z.object({ id: z.string().min(1).meta({ description: 'Pipeline id' }) });
export const PipelineCostQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30).meta({ description: 'Days back from today, today included (1–366, default 30)' }),
});
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
    budget: BudgetSchema.optional().meta({ description: "Limits for this run over the pipeline's own budget, limit by limit" }),
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

export const DecisionBodySchema = ApprovalDecisionSchema;

export const RerunBodySchema = RerunRequestSchema;

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
    capabilities: z
      .object({
        usesModel: z.boolean(),
        revisesTarget: z.boolean(),
        flagsPolicy: z.boolean(),
        exportsDocument: z.boolean(),
        writesCandidates: z.boolean(),
        userPrompt: z.boolean(),
      })
      .meta({ description: 'What the type can do: call a model, revise a target, flag content policy, export a document, write candidates, take a user prompt' }),
    suggestedId: z.string().meta({ description: 'The id the editor gives a new node of this type' }),
    templateFields: z.array(z.string()).optional(),
    configSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the config' }),
    outputSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the output' }),
  })
  .meta({ title: 'NodeType' });

export const OpenApiDocumentSchema = z.record(z.string(), z.unknown()).meta({ title: 'OpenAPIDocument' });

export const ApprovalsQuerySchema = z.object({
  mine: z.enum(['true', 'false']).optional().meta({ description: 'true: only the gates that are the caller’s' }),
});

// ── teams: users, who is asking, the audit list ─────────────────────────────────────────────────

const timestamp = z.string().meta({ description: 'ISO 8601 time' });

export const UserSchema = ActorSchema.extend({
  createdAt: timestamp,
  revokedAt: timestamp.optional().meta({ description: 'Set once revoked: the user’s tokens no longer work' }),
}).meta({ title: 'User' });

export const NewUserBodySchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, "1–64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"),
    role: z.enum(USER_ROLES),
  })
  .meta({ title: 'NewUser' });

export const UserWithTokenSchema = z
  .object({ user: UserSchema, token: z.string().meta({ description: 'The API token: shown this once, stored only as its SHA-256' }) })
  .meta({ title: 'UserWithToken' });

export const UserNameParamsSchema = z.object({ name: z.string().min(1).meta({ description: 'User name' }) });

export const MeSchema = z
  .object({
    actor: ActorSchema,
    permissions: z.object({ read: z.boolean(), author: z.boolean(), decide: z.boolean(), administer: z.boolean() }),
    mode: z.enum(['single-user', 'shared']).meta({ description: 'single-user: no keys and no users, the local owner is everyone' }),
  })
  .meta({ title: 'Me' });

export const AuditEntrySchema = z
  .object({
    seq: z.number().int().positive(),
    at: timestamp,
    action: z.enum(AUDIT_ACTIONS),
    actor: ActorSchema,
    pipelineId: z.string().optional(),
    runId: z.string().optional(),
    nodeId: z.string().optional(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ title: 'AuditEntry', description: 'One thing a person did to a pipeline or a run' });
