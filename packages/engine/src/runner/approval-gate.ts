// The approval gate of a node with `approval: true`: a separate graph node after the node's work, so that
// re-entering it never calls the model again. It does not use LangGraph's interrupt(), which would halt
// every branch at the end of the superstep: a gate without a decision records a pending approval and
// simply does not route onward, so independent branches keep running. A decision stored later (by any
// process) re-enters the graph at this gate (see driver.ts) and the gate then routes to the children
// (approve/edit) or back to its node (reject).
import { nodeCapabilities } from '../nodes/catalogue';
import type { PipelineNode } from '../pipeline/schema';
import type { RunContext } from './run-context';
import type { RunGraphUpdate, RunGraphValues } from './state';

/**
 * Nodes followed by a gate: those asking for approval, and every review, whose gate stops the run for a person
 * when its content-policy checks flag something (an approval of kind `policy`) and lets it through otherwise.
 */
export function hasGate(node: Pick<PipelineNode, 'approval' | 'type'> | undefined): boolean {
  return isGated(node?.approval) || (node !== undefined && nodeCapabilities(node.type)?.flagsPolicy === true);
}

/** `approval: true`, or an object naming who decides: either pauses the run after the node. */
export function isGated(approval: PipelineNode['approval'] | undefined): boolean {
  return approval !== undefined && approval !== false;
}

/** The content-policy flags in a review's output (none for any other node). */
export function policyFlagsOf(output: unknown): unknown[] {
  const policy = (output as { policy?: unknown } | null | undefined)?.policy;
  return Array.isArray(policy) ? policy : [];
}

export class ApprovalGate {
  constructor(private readonly ctx: RunContext) {}

  async run(nodeId: string, state: RunGraphValues): Promise<RunGraphUpdate> {
    const attempt = state.done[nodeId];
    if (attempt === undefined || state.approved[nodeId] === attempt) return {};
    const { run } = this.ctx;
    const node = this.ctx.nodes.get(nodeId);
    // A review's gate asks only when its policy checks flagged something; a producer's autoApprove does not
    // wave a flag through, since the flag exists for a person to see.
    const flags = node && nodeCapabilities(node.type)?.flagsPolicy ? policyFlagsOf((await this.ctx.stores.outputs.get(run.id, nodeId, attempt))?.output) : [];
    if (!isGated(node?.approval) && flags.length === 0) return { approved: { [nodeId]: attempt } };
    const policy = flags.length > 0;
    return this.ctx.fenced(async (stores): Promise<RunGraphUpdate> => {
      const request = await stores.approvals.get(run.id, nodeId, attempt);
      if (!request) {
        if (run.autoApprove && !policy) {
          await stores.approvals.autoApprove(run.id, nodeId, attempt);
          await stores.events.append(run.id, { type: 'approval.requested', nodeId, outputAttempt: attempt, data: { attempt, autoApprove: true } });
          await stores.events.append(run.id, { type: 'approval.resolved', nodeId, data: { attempt, decision: 'approve', auto: true } });
          return { approved: { [nodeId]: attempt } };
        }
        await stores.approvals.request(run.id, nodeId, attempt);
        await stores.nodes.set(run.id, nodeId, { status: 'waiting', attempt });
        await stores.events.append(run.id, { type: 'approval.requested', nodeId, outputAttempt: attempt, data: { attempt, ...(policy ? { kind: 'policy', flags } : {}) } });
        return {};
      }
      if (request.status === 'pending') return {};
      // `approval.resolved` was logged when the decision was stored; applying it is idempotent.
      await stores.approvals.markApplied(run.id, nodeId, attempt);
      switch (request.status) {
        case 'approved':
          await stores.nodes.set(run.id, nodeId, { status: 'completed', attempt });
          return { approved: { [nodeId]: attempt } };
        case 'edited': {
          const edited = attempt + 1;
          await stores.nodes.set(run.id, nodeId, { status: 'completed', attempt: edited });
          return { done: { [nodeId]: edited }, approved: { [nodeId]: edited } };
        }
        case 'rejected':
          await stores.nodes.set(run.id, nodeId, { status: 'pending', attempt });
          return { redo: { [nodeId]: attempt + 1 } };
      }
    });
  }
}

/** Where a gate leads after it ran: the children once approved, its own node after a rejection, else nowhere. */
export function gateRoute(nodeId: string, state: RunGraphValues): 'approved' | 'rejected' | 'waiting' {
  const attempt = state.done[nodeId];
  if (attempt !== undefined && state.approved[nodeId] === attempt) return 'approved';
  if (attempt !== undefined && (state.redo[nodeId] ?? 0) > attempt) return 'rejected';
  return 'waiting';
}
