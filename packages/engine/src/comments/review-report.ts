// A run's review as a Markdown document: who decided what at each approval, and every comment thread by node,
// open ones first. What a team attaches to a draft it sends on (the `review` export of a run).
import type { Actor } from '../contract/actor';
import type { RunEvent, RunView } from '../runner/types';
import { describeAnchor } from './anchor';
import type { CommentThread } from './types';

export interface ReviewReportInput {
  run: Pick<RunView, 'id' | 'pipelineId' | 'version' | 'status' | 'createdAt' | 'updatedAt'> & { startedBy?: Actor };
  /** The run's `approval.resolved` events, oldest first. */
  decisions: RunEvent[];
  threads: CommentThread[];
  /** The node ids in pipeline order, so sections follow the story. */
  nodeOrder: readonly string[];
}

const who = (actor: Actor | undefined): string => (actor ? `${actor.name} (${actor.role})` : 'someone');
const quoted = (text: string): string => text.split('\n').map((line) => `> ${line}`).join('\n');

function decisionLine(event: RunEvent): string {
  const data = event.data as { decision?: string; attempt?: number; feedback?: string; candidate?: number };
  const what = data.decision === 'choose' ? `chose candidate ${(data.candidate ?? 0) + 1}` : `${data.decision ?? 'decided'}`;
  const line = `- ${event.at} — **${event.nodeId}** draft ${data.attempt ?? '?'}: ${what} by ${who(event.actor)}`;
  return data.feedback ? `${line}\n\n${quoted(data.feedback)}\n` : line;
}

function threadSection(thread: CommentThread): string {
  const where = describeAnchor(thread.anchor);
  const state = thread.status === 'resolved' ? `resolved${thread.resolvedBy ? ` by ${who(thread.resolvedBy)}` : ''}` : 'open';
  const head = `### ${where ? `${where[0].toUpperCase()}${where.slice(1)}` : 'Whole output'} — ${state}${thread.attempt ? ` (draft ${thread.attempt})` : ''}`;
  const comments = thread.comments.map((comment) => `**${who(comment.author)}**, ${comment.createdAt}:\n\n${quoted(comment.body)}`);
  return [head, ...comments].join('\n\n');
}

export function renderReviewReport({ run, decisions, threads, nodeOrder }: ReviewReportInput): string {
  const open = threads.filter((thread) => thread.status === 'open').length;
  const lines = [
    `# Review of run ${run.id}`,
    '',
    `- Pipeline: ${run.pipelineId}${run.version !== null ? ` v${run.version}` : ''}`,
    `- Status: ${run.status}`,
    ...(run.startedBy ? [`- Started by: ${who(run.startedBy)}`] : []),
    `- Started: ${run.createdAt}; last change: ${run.updatedAt}`,
    `- Comment threads: ${threads.length} (${open} open, ${threads.length - open} resolved)`,
    '',
    '## Decisions',
    '',
    ...(decisions.length > 0 ? decisions.map(decisionLine) : ['No approval was decided.']),
  ];
  const rank = (nodeId: string) => {
    const index = nodeOrder.indexOf(nodeId);
    return index < 0 ? nodeOrder.length : index;
  };
  const nodes = [...new Set(threads.map((thread) => thread.nodeId))].sort((a, b) => rank(a) - rank(b));
  for (const nodeId of nodes) {
    const ofNode = threads
      .filter((thread) => thread.nodeId === nodeId)
      .sort((a, b) => Number(a.status === 'resolved') - Number(b.status === 'resolved') || a.createdAt.localeCompare(b.createdAt));
    lines.push('', `## Comments on ${nodeId}`, '', ofNode.map(threadSection).join('\n\n'));
  }
  if (nodes.length === 0) lines.push('', '## Comments', '', 'No comments.');
  return `${lines.join('\n')}\n`;
}
