// Run routes: start, list (paged by cursor, optionally as summaries), read, follow as Server-Sent Events, decide an
// approval, cancel, resume, rerun and export, and the approvals inbox across runs. Starting, resuming and rerunning
// are refused (429) while the queue is full, and event streams past their limit (503), both with Retry-After; an
// accepted run goes to the dispatcher and is answered 202 with its Location.
import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES, EXPORT_TITLES, type ExportFormat, type Pipeline, type RunView } from '@storyloom/engine/node';
import type { Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { isSharedServer } from '../auth';
import { HttpError } from '../errors';
import { type AnyRoute, defineRoute } from '../route';
import {
  AcceptedRunSchema,
  ApprovalInboxEntrySchema,
  ApprovalParamsSchema,
  ApprovalsQuerySchema,
  DecisionBodySchema,
  ExportQuerySchema,
  RerunBodySchema,
  RunEventSchema,
  RunEventsQuerySchema,
  RunIdParamsSchema,
  RunListQuerySchema,
  RunSummarySchema,
  RunViewSchema,
  StartRunBodySchema,
} from '../schemas';
import { streamRunEvents } from '../sse';

const TAG = 'runs';

/** What each export is served as: the contract's one table of formats. */
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = EXPORT_MEDIA_TYPES;

/** The export route's answers in the OpenAPI document, one per format; the PDF takes page options. */
const EXPORT_MEDIA = Object.fromEntries(
  EXPORT_FORMATS.map((format) => [
    EXPORT_MEDIA_TYPES[format].split(';')[0]!,
    { description: `${EXPORT_TITLES[format]} (format=${format}${format === 'pdf' ? '; `paper`, `sceneNumbers`, `contact` apply' : ''})` },
  ]),
);

/** Route fields shared by the bearer-authenticated `/api/runs/:id…` routes. */
const oneRun = { tag: TAG, auth: 'bearer', params: RunIdParamsSchema } as const;

const runView = (description: string) => ({ description, schema: RunViewSchema });
const accepted = { 202: { description: 'Accepted: the run is queued and will be driven by the server', schema: AcceptedRunSchema } };

/** A run without its node outputs and approval drafts (the bulk of a run), for `?view=summary` lists. */
function summaryOf(run: RunView): z.output<typeof RunSummarySchema> {
  const nodes = Object.fromEntries(Object.entries(run.nodes).map(([id, { output: _output, ...state }]) => [id, state]));
  return { ...run, nodes, pending: run.pending.map(({ nodeId }) => ({ nodeId })) };
}

/** The request's own path and query with `cursor` set to the next page's. */
function nextPageUrl(originalUrl: string, cursor: string): string {
  const url = new URL(originalUrl, 'http://server');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}

/** How long a client refused for load is asked to wait before trying again, in seconds. */
const RETRY_AFTER_SECONDS = { queue: 10, streams: 5 } as const;

/** `Last-Event-ID` header, else `?lastEventId=`, else 0 (from the start). */
function resumeSeqOf(header: string | string[] | undefined, queryValue: number | undefined): number {
  if (header === undefined || Array.isArray(header)) return queryValue ?? 0;
  const trimmed = header.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new HttpError(400, 'invalid_request', 'Last-Event-ID must be an event seq (a whole number)', [
      { path: '/headers/last-event-id', code: 'invalid_format', message: `got '${header}'` },
    ]);
  }
  return Number(trimmed);
}

export function runRoutes({ storyloom, scheduler, streams, options }: AppContext): AnyRoute[] {
  const requireRun = (id: string) => storyloom.requireRun(id);
  /**
   * Refuses new work (429) while the queue is full, before anything is stored: the client may try again once
   * the runs ahead of it start. Decisions on waiting runs are never refused (they continue a run already admitted).
   */
  const admitRun = () => {
    const queued = scheduler.queuedCount();
    if (queued < options.maxQueued) return;
    throw new HttpError(
      429,
      'queue_full',
      `${queued} runs are already queued (STORYLOOM_MAX_QUEUED=${options.maxQueued}); try again when some have started`,
      undefined,
      { 'Retry-After': String(RETRY_AFTER_SECONDS.queue) },
    );
  };
  /** Hands the run to the scheduler and answers 202 with where to follow it. */
  const queueRun = async (run: { id: string; status: string }, res: Response, continuation = false) => {
    await scheduler.enqueue(run.id, { continuation });
    res.setHeader('Location', `/api/runs/${encodeURIComponent(run.id)}`);
    return { status: 202, body: { id: run.id, status: run.status } };
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/runs',
      operationId: 'startRun',
      summary: 'Start a run of a saved pipeline (`pipelineId`, optional `version`) or an inline `pipeline`',
      tag: TAG,
      auth: 'bearer',
      body: StartRunBodySchema,
      responses: accepted,
      errors: [
        { status: 404, description: 'No such saved pipeline or version' },
        { status: 429, description: 'Too many runs queued (STORYLOOM_MAX_QUEUED); `Retry-After` says when to try again' },
      ],
      handler: async ({ body, res, actor }) => {
        admitRun();
        const run = await storyloom.startRun(
          {
            ...(body.pipelineId !== undefined ? { pipelineId: body.pipelineId, version: body.version } : { pipeline: body.pipeline as Pipeline }),
            inputs: body.inputs,
            model: body.model,
            autoApprove: body.autoApprove,
            startedBy: actor,
            ...(body.budget ? { budget: body.budget } : {}),
          },
          // Users make the server a shared one as much as API keys do: it then calls only the configured model URLs.
          { restrictBaseUrls: await isSharedServer(options.apiKeys, storyloom) },
        );
        return queueRun(run, res);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs',
      operationId: 'listRuns',
      summary: 'Runs, optionally filtered by pipeline and status',
      tag: TAG,
      auth: 'bearer',
      query: RunListQuerySchema,
      responses: {
        200: {
          description: 'One page of runs, newest first (full, or without outputs and drafts with `view=summary`)',
          schema: z.union([z.array(RunViewSchema), z.array(RunSummarySchema)]),
          headers: {
            'X-Next-Cursor': { description: 'Pass as `cursor` for the next page; absent on the last page' },
            Link: { description: '`<…&cursor=…>; rel="next"`: the next page, absent on the last page' },
          },
        },
      },
      handler: async ({ query: { view, ...request }, req, res }) => {
        const page = await storyloom.listRunsPage(request);
        if (page.nextCursor !== undefined) {
          res.setHeader('X-Next-Cursor', page.nextCursor);
          res.setHeader('Link', `<${nextPageUrl(req.originalUrl, page.nextCursor)}>; rel="next"`);
        }
        return { status: 200, body: view === 'summary' ? page.runs.map(summaryOf) : page.runs };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/:id',
      operationId: 'getRun',
      summary: 'A run with every node’s status, output and usage, and its pending approvals',
      ...oneRun,
      responses: { 200: runView('The run') },
      handler: async ({ params }) => ({ status: 200, body: await requireRun(params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/:id/events',
      operationId: 'streamRunEvents',
      summary: 'Server-Sent Events: the stored log from the start (or after Last-Event-ID), then live',
      description:
        'Each message has `id:` = seq and `data:` = the event as JSON. `: ping` comments keep idle streams open. ' +
        'The stream ends after run.completed, run.failed or run.cancelled; it stays open while the run waits for approval.',
      tag: TAG,
      auth: 'bearer-or-query-token',
      params: RunIdParamsSchema,
      query: RunEventsQuerySchema,
      responses: {
        200: {
          description: 'An event stream',
          media: { 'text/event-stream': { schema: RunEventSchema, description: 'Each `data:` line is one RunEvent' } },
        },
      },
      errors: [{ status: 503, description: 'Too many event streams open (STORYLOOM_MAX_STREAMS); `Retry-After` says when to try again' }],
      handler: async ({ params, query, req, res }) => {
        const afterSeq = resumeSeqOf(req.headers['last-event-id'], query.lastEventId);
        await requireRun(params.id);
        if (streams.count >= options.maxStreams) {
          throw new HttpError(
            503,
            'too_many_streams',
            `${streams.count} event streams are open (STORYLOOM_MAX_STREAMS=${options.maxStreams}); reconnect in a few seconds or poll GET /api/runs/{id}`,
            undefined,
            { 'Retry-After': String(RETRY_AFTER_SECONDS.streams) },
          );
        }
        streams.add(res);
        streamRunEvents(storyloom, req, res, params.id, afterSeq, {
          heartbeatMs: options.sseHeartbeatMs,
          maxBufferedBytes: options.sseMaxBufferedBytes,
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/:id/approvals/:nodeId',
      operationId: 'decideApproval',
      summary: 'Approve, edit or reject a node waiting for approval; the server then continues the run',
      tag: TAG,
      auth: 'bearer',
      access: 'decide',
      params: ApprovalParamsSchema,
      body: DecisionBodySchema,
      responses: { 200: runView('The decision is stored; the run is queued to continue') },
      errors: [
        { status: 403, description: 'The caller may not decide this gate: their role, its assignment, or its separate reviewer' },
        { status: 409, description: 'That node is not waiting for a decision (e.g. it was already decided)' },
      ],
      handler: async ({ params, body, actor }) => {
        const run = await requireRun(params.id);
        if (!(params.nodeId in run.nodes)) throw new HttpError(404, 'not_found', `run '${params.id}' has no node '${params.nodeId}'`);
        const decided = await storyloom.decide(params.id, params.nodeId, body, actor);
        await scheduler.enqueue(params.id, { continuation: true });
        return { status: 200, body: decided };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/:id/cancel',
      operationId: 'cancelRun',
      summary: 'Cancel a run (stops it between or inside model calls)',
      ...oneRun,
      responses: { 200: runView('The run after cancelling') },
      errors: [{ status: 409, description: 'The run has already ended' }],
      handler: async ({ params, actor }) => {
        await requireRun(params.id);
        const cancelled = await storyloom.cancel(params.id, actor);
        await scheduler.dequeue(params.id);
        return { status: 200, body: cancelled };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/:id/resume',
      operationId: 'resumeRun',
      summary: 'Resume a failed or interrupted run from its last checkpoint (completed nodes are not redone)',
      ...oneRun,
      responses: accepted,
      errors: [
        { status: 409, description: 'The run cannot be resumed in its state' },
        { status: 429, description: 'Too many runs queued (STORYLOOM_MAX_QUEUED)' },
      ],
      handler: async ({ params, res, actor }) => {
        await requireRun(params.id);
        admitRun();
        return queueRun(await storyloom.resume(params.id, actor), res, true);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/:id/rerun',
      operationId: 'rerunRun',
      summary: 'A new run from a node, reusing every output not downstream of what changed',
      ...oneRun,
      body: RerunBodySchema,
      responses: accepted,
      errors: [
        { status: 409, description: 'The run is not in a state that allows a re-run' },
        { status: 429, description: 'Too many runs queued (STORYLOOM_MAX_QUEUED)' },
      ],
      handler: async ({ params, body, res, actor }) => {
        await requireRun(params.id);
        admitRun();
        return queueRun(await storyloom.rerun(params.id, body, actor), res);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/:id/export',
      operationId: 'exportRun',
      summary: 'The run’s document as Fountain, Final Draft XML, Markdown, JSON or a PDF (screenplay layout, or a manuscript for prose)',
      ...oneRun,
      query: ExportQuerySchema,
      responses: {
        200: {
          description: 'The document, as an attachment',
          media: EXPORT_MEDIA,
          headers: { 'Content-Disposition': { description: 'attachment; filename="<title>.<ext>"' } },
        },
      },
      errors: [{ status: 409, description: 'The run has nothing to export yet' }],
      handler: async ({ params, query, res }) => {
        await requireRun(params.id);
        const { format, paper, sceneNumbers, contact } = query;
        const document = await storyloom.exportRun(params.id, format, { paper, sceneNumbers: sceneNumbers === 'true', contact });
        res.attachment(document.filename);
        res.setHeader('Content-Type', EXPORT_CONTENT_TYPES[format]);
        res.status(200).send(typeof document.content === 'string' ? document.content : Buffer.from(document.content));
      },
    }),
  ];
}

export function approvalRoutes({ storyloom }: AppContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/approvals',
      operationId: 'listApprovals',
      summary: 'Every pending approval across runs, each saying whether it is the caller’s (`?mine=true`: only those)',
      tag: 'approvals',
      auth: 'bearer',
      query: ApprovalsQuerySchema,
      responses: { 200: { description: 'Pending approvals', schema: z.array(ApprovalInboxEntrySchema) } },
      handler: async ({ query, actor }) => {
        const entries = await storyloom.pendingApprovals(actor);
        return { status: 200, body: query.mine === 'true' ? entries.filter((entry) => entry.mine) : entries };
      },
    }),
  ];
}
