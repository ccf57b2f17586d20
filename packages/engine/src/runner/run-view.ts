// Builds the RunView (what the API and `--json` show) from the run row, node states and stored outputs
// (an output stored in an older story shape is shown in today's, as a rerun would read it).
import { getNodeType, nodeCapabilities } from '../nodes/catalogue';
import type { PipelineNode } from '../pipeline/schema';
import type { RunRecord, StoreSet } from '../store';
import { candidatesKey } from '../store/output-store';
import { leaseIsDead } from './lease';
import { storedInCurrentShape } from '../story/stored';
import { policyFlagsOf } from './approval-gate';
import { budgetedNodeOf } from './budget-gate';
import { hasLimit } from '../cost/budget';
import { sumUsage } from '../cost/usage';
import type { AttemptUsage, NodeState, NodeStatus, PendingApproval, RunStatus, RunView, TokenUsage } from './types';

/** Run statuses after which a node still pending will not run (unless the run is resumed). */
const STOPPED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['failed', 'cancelled']);

/**
 * `skipped` is derived, not stored: a node that never ran because its run failed or was cancelled.
 * Resuming sets the run back to `queued`, so the same node reads `pending` again without any write.
 */
function shownStatus(stored: NodeStatus | undefined, runStatus: RunStatus): NodeStatus {
  const status = stored ?? 'pending';
  return status === 'pending' && STOPPED_RUN_STATUSES.has(runStatus) ? 'skipped' : status;
}

/** A node's stored output as today's reader sees it (a type whose output schema depends on config is left as stored). */
function shownOutput(node: PipelineNode | undefined, value: unknown): unknown {
  const schema = node && getNodeType(node.type)?.outputSchema;
  return schema && typeof schema !== 'function' ? storedInCurrentShape(schema, value) : value;
}

/** Only a node asked for several candidates stores them: the others need no lookup (a large run has many nodes). */
function writesCandidates(node: PipelineNode): boolean {
  return (node.candidates ?? 1) > 1;
}

export async function buildRunView(stores: StoreSet, run: RunRecord): Promise<RunView> {
  const [nodeRecords, approvals, attemptRecords] = await Promise.all([stores.nodes.list(run.id), stores.approvals.pending(run.id), stores.attempts.list(run.id)]);
  const attemptsOf = new Map<string, AttemptUsage[]>();
  for (const { nodeId, ...attempt } of attemptRecords) {
    const list = attemptsOf.get(nodeId) ?? [];
    list.push(attempt);
    attemptsOf.set(nodeId, list);
  }
  const nodeUsages: TokenUsage[] = [];
  const records = new Map(nodeRecords.map((record) => [record.nodeId, record]));
  const outputs = new Map<string, Promise<unknown>>();
  const outputOf = (nodeId: string, attempt: number) => {
    const key = `${nodeId}#${attempt}`;
    if (!outputs.has(key)) outputs.set(key, stores.outputs.get(run.id, nodeId, attempt).then((stored) => stored && { value: stored.output }));
    return outputs.get(key)! as Promise<{ value: unknown } | undefined>;
  };
  // Fetched together (one round trip each, in parallel on PostgreSQL), then read in pipeline order.
  for (const record of nodeRecords) {
    if (record.attempt !== undefined && record.status !== 'running') outputOf(record.nodeId, record.attempt).catch(() => undefined);
  }
  const nodes: Record<string, NodeState> = {};
  for (const node of run.pipeline.nodes) {
    const record = records.get(node.id);
    const state: NodeState = { status: shownStatus(record?.status, run.status) };
    if (record?.attempt !== undefined && record.status !== 'running') {
      const stored = await outputOf(node.id, record.attempt);
      if (stored) state.output = shownOutput(node, stored.value);
      if (writesCandidates(node)) {
        // After a choice the output is the next attempt (an edit); the candidates stay with the attempt that wrote them.
        const candidates = (await outputOf(candidatesKey(node.id), record.attempt)) ?? (await outputOf(candidatesKey(node.id), record.attempt - 1));
        if (Array.isArray(candidates?.value)) state.candidates = candidates.value;
      }
    }
    if (record?.error) state.error = record.error;
    const attempts = attemptsOf.get(node.id);
    if (attempts) {
      state.usage = sumUsage(attempts);
      state.attempts = attempts;
    } else if (record?.usage) {
      state.usage = record.usage; // a run recorded before executions were kept one by one
    }
    if (state.usage) nodeUsages.push(state.usage);
    nodes[node.id] = state;
  }
  const pending: PendingApproval[] = [];
  for (const approval of approvals) {
    const beforeNode = budgetedNodeOf(approval.nodeId);
    if (beforeNode !== undefined) {
      pending.push({ nodeId: beforeNode, kind: 'budget', draft: (await outputOf(approval.nodeId, approval.attempt))?.value });
      continue;
    }
    const gated = run.pipeline.nodes.find((node) => node.id === approval.nodeId);
    const draft = shownOutput(gated, (await outputOf(approval.nodeId, approval.attempt))?.value);
    const candidates = gated && writesCandidates(gated) ? (await outputOf(candidatesKey(approval.nodeId), approval.attempt))?.value : undefined;
    const flagged = gated !== undefined && nodeCapabilities(gated.type)?.flagsPolicy === true && policyFlagsOf(draft).length > 0;
    pending.push({
      nodeId: approval.nodeId,
      draft,
      ...(flagged ? { kind: 'policy' as const } : {}),
      ...(Array.isArray(candidates) ? { candidates } : {}),
    });
  }
  const view: RunView = {
    id: run.id,
    pipelineId: run.pipelineId,
    version: run.version,
    status: run.status,
    inputs: run.inputs,
    nodes,
    pending,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
  };
  if (nodeUsages.length > 0) view.usage = sumUsage(nodeUsages);
  if (hasLimit(run.budget)) view.budget = run.budget;
  if (run.model !== undefined) view.model = run.model;
  if (run.parentRunId) view.parentRunId = run.parentRunId;
  if (run.startedBy) view.startedBy = run.startedBy;
  if (run.error) view.error = run.error;
  if (run.status === 'running' && (run.lease === undefined || leaseIsDead(run.lease))) view.interrupted = true;
  return view;
}
