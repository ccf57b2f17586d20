// Review comments on a run's node outputs: threads (optionally on a scene or a field), replies, resolving and
// reopening, rejecting a draft with its open comments as the feedback, and the run's review report.
import { z } from 'zod';
import type { AppContext } from '../context';
import {
  CommentsQuerySchema,
  CommentThreadSchema,
  NewThreadBodySchema,
  RejectWithCommentsBodySchema,
  ReplyBodySchema,
  ThreadParamsSchema,
  ThreadStatusBodySchema,
} from '../collab-schemas';
import { type AnyRoute, defineRoute } from '../route';
import { ApprovalParamsSchema, RunIdParamsSchema, RunViewSchema } from '../schemas';

const TAG = 'comments';
const thread = (description: string) => ({ description, schema: CommentThreadSchema });
/** Route fields of every change to comments: commenting on a draft is part of reviewing it. */
const reviewing = { tag: TAG, auth: 'bearer', access: 'decide' } as const;
/** Route fields of a change to one thread. */
const oneThread = { ...reviewing, params: ThreadParamsSchema } as const;

export function commentRoutes({ storyloom, scheduler }: AppContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/runs/:id/comments',
      operationId: 'listComments',
      summary: "A run's comment threads, oldest first (optionally one node's, or only open or resolved ones)",
      tag: TAG,
      auth: 'bearer',
      params: RunIdParamsSchema,
      query: CommentsQuerySchema,
      responses: { 200: { description: 'Threads with their comments', schema: z.array(CommentThreadSchema) } },
      handler: async ({ params, query }) => ({ status: 200, body: await storyloom.comments.list(params.id, query) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/:id/comments',
      operationId: 'startCommentThread',
      summary: "Start a comment thread on a node's output, optionally on a scene or a field",
      ...reviewing,
      params: RunIdParamsSchema,
      body: NewThreadBodySchema,
      responses: { 201: thread('The new thread') },
      handler: async (context) => ({
        status: 201,
        body: await storyloom.comments.start(context.params.id, { ...context.body, author: context.actor }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/:id/comments/:threadId/replies',
      operationId: 'replyToComment',
      summary: 'Answer a comment thread',
      ...oneThread,
      body: ReplyBodySchema,
      responses: { 201: thread('The thread with the reply') },
      handler: async (context) => ({
        status: 201,
        body: await storyloom.comments.reply(context.params.id, context.params.threadId, context.body.body, context.actor),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/runs/:id/comments/:threadId/status',
      operationId: 'setCommentStatus',
      summary: 'Resolve or reopen a comment thread',
      ...oneThread,
      body: ThreadStatusBodySchema,
      responses: { 200: thread('The thread') },
      handler: async (context) => ({
        status: 200,
        body: await storyloom.comments.setStatus(context.params.id, context.params.threadId, context.body.status, context.actor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/:id/approvals/:nodeId/reject-with-comments',
      operationId: 'rejectWithComments',
      summary: "Reject a waiting draft with its node's open comments as the feedback (they are then resolved)",
      ...reviewing,
      params: ApprovalParamsSchema,
      body: RejectWithCommentsBodySchema,
      responses: { 200: { description: 'The decision is stored; the run is queued to redraft', schema: z.object({ run: RunViewSchema, threads: z.array(CommentThreadSchema) }) } },
      errors: [{ status: 409, description: 'That node is not waiting for a decision' }],
      handler: async (context) => {
        const { id, nodeId } = context.params;
        const result = await storyloom.comments.rejectWithComments(id, nodeId, { feedback: context.body.feedback, actor: context.actor });
        scheduler.enqueue(id);
        return { status: 200, body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/:id/review-report',
      operationId: 'reviewReport',
      summary: "The run's review as Markdown: each decision with who made it, and every comment thread by node",
      tag: TAG,
      auth: 'bearer',
      params: RunIdParamsSchema,
      responses: {
        200: {
          description: 'The report, as an attachment',
          media: { 'text/markdown': { description: 'Markdown' } },
          headers: { 'Content-Disposition': { description: 'attachment; filename="<pipeline>-<run>-review.md"' } },
        },
      },
      handler: async ({ params, res }) => {
        const report = await storyloom.comments.reviewReport(params.id);
        res.attachment(report.filename);
        res.setHeader('Content-Type', report.mediaType);
        res.status(200).send(report.content);
      },
    }),
  ];
}
