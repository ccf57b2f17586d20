// Review comments on a run's node outputs: starting, answering, resolving and reopening threads; sending a
// node's open threads back as reject feedback; and the run's review report. Checks what people send (the
// run, the node, the anchor) before anything is stored.
import type { Actor } from '../contract/actor';
import { StoryloomError } from '../errors';
import type { ExportedDocument } from '../runner/engine';
import { topologicalOrder } from '../pipeline/graph';
import type { RunRecord, Stores } from '../store/contract';
import { newId } from '../store/ids';
import type { ApprovalDecision, RunView } from '../runner/types';
import { feedbackFromThreads } from './feedback';
import { renderReviewReport } from './review-report';
import { COMMENT_STATUSES, type CommentStatus, type CommentThread } from './types';

export interface NewThreadRequest {
  nodeId: string;
  body: string;
  scene?: number;
  field?: string;
  author?: Actor;
}

export interface CommentDeps {
  stores: Stores;
  /** The facade's decision (the same checks and events as any reject). */
  decide(runId: string, nodeId: string, decision: ApprovalDecision, actor?: Actor): Promise<RunView>;
  view(runId: string): Promise<RunView>;
}

/** A comment longer than this is refused (a review note, not a document). */
const MAX_BODY = 10_000;

function checkedBody(body: unknown): string {
  if (typeof body !== 'string' || body.trim() === '') throw new StoryloomError('invalid_input', 'a comment needs a non-empty body');
  if (body.length > MAX_BODY) throw new StoryloomError('invalid_input', `a comment may be at most ${MAX_BODY} characters, got ${body.length}`);
  return body.trim();
}

export class RunComments {
  constructor(private readonly deps: CommentDeps) {}

  async list(runId: string, filter: { nodeId?: string; status?: CommentStatus } = {}): Promise<CommentThread[]> {
    await this.run(runId);
    if (filter.status !== undefined && !COMMENT_STATUSES.includes(filter.status)) {
      throw new StoryloomError('invalid_input', `status must be ${COMMENT_STATUSES.join(' or ')}, got '${filter.status}'`);
    }
    return this.deps.stores.comments.list(runId, filter);
  }

  async start(runId: string, request: NewThreadRequest): Promise<CommentThread> {
    const run = await this.run(runId);
    if (!run.pipeline.nodes.some((node) => node.id === request.nodeId)) {
      throw new StoryloomError('invalid_input', `run '${runId}' has no node '${request.nodeId}'`);
    }
    const body = checkedBody(request.body);
    if (request.scene !== undefined && (!Number.isInteger(request.scene) || request.scene < 1)) {
      throw new StoryloomError('invalid_input', `scene must be a scene number (1, 2, 3 …), got ${JSON.stringify(request.scene)}`);
    }
    if (request.field !== undefined && request.field !== '' && !request.field.startsWith('/')) {
      throw new StoryloomError('invalid_input', `field must be a JSON pointer such as /characters/0/name, got '${request.field}'`);
    }
    const record = await this.deps.stores.nodes.get(runId, request.nodeId);
    const id = newId('thread');
    await this.deps.stores.comments.createThread({ id, runId, nodeId: request.nodeId, attempt: record?.attempt, scene: request.scene, field: request.field, body, author: request.author });
    return this.thread(runId, id);
  }

  async reply(runId: string, threadId: string, body: string, author?: Actor): Promise<CommentThread> {
    await this.run(runId);
    if (!(await this.deps.stores.comments.reply(runId, threadId, { id: newId('comment'), body: checkedBody(body), author }))) throw this.noThread(runId, threadId);
    return this.thread(runId, threadId);
  }

  async setStatus(runId: string, threadId: string, status: CommentStatus, actor?: Actor): Promise<CommentThread> {
    await this.run(runId);
    if (!(await this.deps.stores.comments.setStatus(runId, threadId, status, actor))) throw this.noThread(runId, threadId);
    return this.thread(runId, threadId);
  }

  /**
   * Rejects the node's pending draft with its open threads (and `feedback`, first, if given) as the feedback,
   * then resolves those threads: the redraft answers them. 'invalid_input' when there is nothing to send.
   */
  async rejectWithComments(runId: string, nodeId: string, options: { feedback?: string; actor?: Actor } = {}): Promise<{ run: RunView; threads: CommentThread[] }> {
    const open = await this.list(runId, { nodeId, status: 'open' });
    const feedback = feedbackFromThreads(open, options.feedback);
    if (feedback === '') throw new StoryloomError('invalid_input', `node '${nodeId}' has no open comments to send; write feedback or comment first`);
    const run = await this.deps.decide(runId, nodeId, { decision: 'reject', feedback }, options.actor);
    for (const thread of open) await this.deps.stores.comments.setStatus(runId, thread.id, 'resolved', options.actor);
    return { run, threads: await this.list(runId, { nodeId }) };
  }

  /** The run's review report (Markdown): decisions with who made them, and every thread by node. */
  async reviewReport(runId: string): Promise<ExportedDocument> {
    const run = await this.run(runId);
    const view = await this.deps.view(runId);
    const events = await this.deps.stores.events.list(runId);
    const content = renderReviewReport({
      run: view,
      decisions: events.filter((event) => event.type === 'approval.resolved' && event.data.auto !== true),
      threads: await this.deps.stores.comments.list(runId),
      nodeOrder: topologicalOrder(run.pipeline),
    });
    return { format: 'markdown', mediaType: 'text/markdown; charset=utf-8', filename: `${run.pipelineId}-${runId}-review.md`, content };
  }

  private async thread(runId: string, threadId: string): Promise<CommentThread> {
    const thread = (await this.deps.stores.comments.list(runId)).find((candidate) => candidate.id === threadId);
    if (!thread) throw this.noThread(runId, threadId);
    return thread;
  }

  private noThread(runId: string, threadId: string): StoryloomError {
    return new StoryloomError('not_found', `run '${runId}' has no comment thread '${threadId}'`);
  }

  private async run(runId: string): Promise<RunRecord> {
    const run = await this.deps.stores.runs.get(runId);
    if (!run) throw new StoryloomError('not_found', `no run '${runId}'`);
    return run;
  }
}
