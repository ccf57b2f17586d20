// Request and answer shapes of the review routes: webhooks with their delivery logs, and comment threads.
import { z } from 'zod';
import { COMMENT_STATUSES, USER_ROLES, WEBHOOK_EVENTS } from '@storyloom/engine/node';

const timestamp = z.string().meta({ description: 'ISO 8601 time' });

export const ActorSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(USER_ROLES) }).meta({ title: 'Actor' });

// ── webhooks ─────────────────────────────────────────────────────────────────────────────────────

export const WebhookIdParamsSchema = z.object({ id: z.string().min(1).meta({ description: 'Webhook id' }) });

export const CreateWebhookBodySchema = z
  .strictObject({
    url: z.string().min(1).max(2000).meta({ description: 'Where deliveries are POSTed (http or https; on a shared server a host in STORYLOOM_WEBHOOK_HOSTS)' }),
    events: z.array(z.string()).min(1).meta({ description: `Any of ${WEBHOOK_EVENTS.join(', ')}` }),
    secret: z.string().max(500).optional().meta({ description: 'Signs each body (HMAC-SHA256); at least 16 characters. Generated when left out' }),
  })
  .meta({ title: 'CreateWebhookRequest' });

export const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    createdAt: timestamp,
    createdBy: ActorSchema.optional(),
  })
  .meta({ title: 'Webhook' });

export const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().meta({ description: 'Shown only now: receivers check `X-Storyloom-Signature: sha256=<hex HMAC-SHA256 of the body>` with it' }),
}).meta({ title: 'CreatedWebhook' });

export const DeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).meta({ description: 'Newest first (default 100)' }),
});

export const WebhookDeliverySchema = z
  .object({
    id: z.string(),
    hookId: z.string(),
    event: z.enum(WEBHOOK_EVENTS),
    runId: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.array(
      z.object({
        at: timestamp,
        status: z.number().int().optional().meta({ description: "The receiver's HTTP status" }),
        error: z.string().optional().meta({ description: 'Why no answer came (refused, timed out, host not allowed)' }),
        durationMs: z.number(),
      }),
    ),
    nextAttemptAt: timestamp.optional(),
    createdAt: timestamp,
    deliveredAt: timestamp.optional(),
    payload: z.record(z.string(), z.unknown()).meta({ description: 'The JSON body sent' }),
  })
  .meta({ title: 'WebhookDelivery' });

// ── comments ─────────────────────────────────────────────────────────────────────────────────────

export const ThreadParamsSchema = z.object({
  id: z.string().min(1).meta({ description: 'Run id' }),
  threadId: z.string().min(1).meta({ description: 'Comment thread id' }),
});

export const CommentsQuerySchema = z.object({
  nodeId: z.string().min(1).optional(),
  status: z.enum(COMMENT_STATUSES).optional(),
});

const body = z.string().trim().min(1).max(10_000);

export const NewThreadBodySchema = z
  .strictObject({
    nodeId: z.string().min(1),
    body,
    scene: z.number().int().min(1).optional().meta({ description: 'The scene (its number) the comment is about' }),
    field: z.string().max(500).optional().meta({ description: 'The field (a JSON pointer into the output, e.g. /characters/0/name)' }),
  })
  .meta({ title: 'NewCommentThread' });

export const ReplyBodySchema = z.strictObject({ body }).meta({ title: 'CommentReply' });

export const ThreadStatusBodySchema = z.strictObject({ status: z.enum(COMMENT_STATUSES) }).meta({ title: 'CommentThreadStatus' });

export const RejectWithCommentsBodySchema = z
  .strictObject({ feedback: z.string().max(10_000).optional().meta({ description: 'Said first, before the open comments' }) })
  .meta({ title: 'RejectWithComments' });

export const CommentThreadSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    nodeId: z.string(),
    attempt: z.number().int().optional(),
    anchor: z.object({ scene: z.number().int().optional(), field: z.string().optional() }).optional(),
    status: z.enum(COMMENT_STATUSES),
    comments: z.array(z.object({ id: z.string(), body: z.string(), author: ActorSchema.optional(), createdAt: timestamp })),
    createdAt: timestamp,
    resolvedAt: timestamp.optional(),
    resolvedBy: ActorSchema.optional(),
  })
  .meta({ title: 'CommentThread' });
