// Builds the RunView (what the API and `--json` show) from the run row, node states and stored outputs.
import type { Stores } from '../store';
import type { RunRecord } from '../store/run-store';
import { candidatesKey } from '../store/output-store';
import { leaseIsDead } from './lease';
import { policyFlagsOf } from './approval-gate';
import type { NodeState, NodeStatus, PendingApproval, RunStatus, RunView } from './types';

/** Run statuses after which a node still pending will not run (unless the run is resumed). */
const STOPPED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['failed', 'cancelled']);

/**
 * `skipped` (SPEC §4) is derived, not stored: a node that never ran because its run failed or was cancelled.
 * Resuming sets the run back to `queued`, so the same node reads `pending` again without any write.
 */
function shownStatus(stored: NodeStatus | undefined, runStatus: RunStatus): NodeStatus {
  const status = stored ?? 'pending';
  return status === 'pending' && STOPPED_RUN_STATUSES.has(runStatus) ? 'skipped' : status;
}

export function buildRunView(stores: Stores, run: RunRecord): RunView {
  const records = new Map(stores.nodes.list(run.id).map((record) => [record.nodeId, record]));
  const nodes: Record<string, NodeState> = {};
  for (const node of run.pipeline.nodes) {
    const record = records.get(node.id);
    const state: NodeState = { status: shownStatus(record?.status, run.status) };
    if (record?.attempt !== undefined && record.status !== 'running') {
      const stored = stores.outputs.get(run.id, node.id, record.attempt);
      if (stored) state.output = stored.output;
      // After a choice the output is the next attempt (an edit); the candidates stay with the attempt that wrote them.
      const candidates = stores.outputs.get(run.id, candidatesKey(node.id), stored?.source === 'edit' ? record.attempt - 1 : record.attempt)?.output;
      if (Array.isArray(candidates)) state.candidates = candidates;
    }
    if (record?.error) state.error = record.error;
    if (record?.usage) state.usage = record.usage;
    nodes[node.id] = state;
  }
  const pending: PendingApproval[] = stores.approvals.pending(run.id).map((approval) => {
    const candidates = stores.outputs.get(run.id, candidatesKey(approval.nodeId), approval.attempt)?.output;
    const draft = stores.outputs.get(run.id, approval.nodeId, approval.attempt)?.output;
    const flagged = run.pipeline.nodes.some((node) => node.id === approval.nodeId && node.type === 'review') && policyFlagsOf(draft).length > 0;
    return {
      nodeId: approval.nodeId,
      draft,
      ...(flagged ? { kind: 'policy' as const } : {}),
      ...(Array.isArray(candidates) ? { candidates } : {}),
    };
  });
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
  if (run.model !== undefined) view.model = run.model;
  if (run.parentRunId) view.parentRunId = run.parentRunId;
  if (run.error) view.error = run.error;
  if (run.status === 'running' && (run.lease === undefined || leaseIsDead(run.lease))) view.interrupted = true;
  return view;
}
