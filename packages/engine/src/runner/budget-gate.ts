// The budget check before a node runs, in a run with a budget: when what the run has spent plus the node's
// estimate would pass a limit, the run asks a person first (an approval of kind `budget`, stored under the key
// `<node>#budget` so it never collides with the node's own approval of the same attempt, with the figures as its
// draft). Approving lets the node run (the decision may also raise or lift the budget); rejecting cancels the run
// (see decide in storyloom.ts); resuming the cancelled run asks again. A decision stored later re-enters the graph
// at the node's budget entry (driver.ts).
import { hasLimit, limitsPassed } from '../cost/budget';
import type { SpendEstimate } from '../cost/estimate';
import { sumUsage } from '../cost/usage';
import type { RunRecord, StoreSet } from '../store';
import type { RunContext } from './run-context';
import type { BudgetCheck, TokenUsage } from './types';

const SUFFIX = '#budget';

/** The approval key of the budget check before `nodeId` (node ids are `[a-z0-9-]`: no clash with a node's own). */
export const budgetKey = (nodeId: string): string => `${nodeId}${SUFFIX}`;

/** The node a budget approval's key stands before; undefined for a node's own approval. */
export function budgetedNodeOf(key: string): string | undefined {
  return key.endsWith(SUFFIX) ? key.slice(0, -SUFFIX.length) : undefined;
}

/** The pipeline node an approval is about, whichever kind it is. */
export const approvalNodeOf = (key: string): string => budgetedNodeOf(key) ?? key;


/** Whether budget checks apply to this run (it has a budget, or had one from its pipeline before a person lifted it). */
export function isBudgeted(run: Pick<RunRecord, 'budget' | 'pipeline'>): boolean {
  return run.budget !== undefined || run.pipeline.budget !== undefined;
}

/** A budget request as the run shows it: its figures as the draft, the node waiting, the request in the log. */
async function showRequest(tx: StoreSet, runId: string, nodeId: string, attempt: number, check: BudgetCheck): Promise<void> {
  await tx.outputs.put({ runId, nodeId: budgetKey(nodeId), attempt, source: 'model', output: check });
  await tx.nodes.set(runId, nodeId, { status: 'waiting' });
  await tx.events.append(runId, { type: 'approval.requested', nodeId, data: { attempt, kind: 'budget', check } });
}

/**
 * A run resumed after a person refused to let it past its budget asks again: each refused check becomes a pending
 * request once more, its figures brought up to date, so the run waits there for a new decision (rather than
 * finding the old refusal and stopping before the node for good). Returns the nodes asked about again.
 */
export async function askAgainAfterRefusal(tx: StoreSet, run: RunRecord): Promise<string[]> {
  const reopened = await tx.approvals.reopenRejected(run.id, run.pipeline.nodes.map((node) => budgetKey(node.id)));
  if (reopened.length === 0) return [];
  const spent = sumUsage(await tx.attempts.list(run.id));
  for (const { nodeId: key, attempt } of reopened) {
    const nodeId = approvalNodeOf(key);
    const asked = (await tx.outputs.get(run.id, key, attempt))!.output as BudgetCheck;
    const budget = hasLimit(run.budget) ? run.budget : asked.budget;
    const check: BudgetCheck = { budget, spent, estimate: asked.estimate, passes: limitsPassed(budget, spent, asked.estimate) };
    await showRequest(tx, run.id, nodeId, attempt, check);
  }
  return reopened.map((request) => approvalNodeOf(request.nodeId));
}

export class BudgetGate {
  constructor(private readonly ctx: RunContext) {}

  /**
   * True when the node may run now: within the budget, or a person approved going past it. False when it waits
   * for a decision (recorded here the first time). `estimate` is given the node's previous execution, if any.
   */
  allows(nodeId: string, attempt: number, estimate: (previous: TokenUsage | undefined) => SpendEstimate): Promise<boolean> {
    const { run } = this.ctx;
    const key = budgetKey(nodeId);
    return this.ctx.fenced(async (tx) => {
      const request = await tx.approvals.get(run.id, key, attempt);
      if (request) {
        if (request.status === 'pending') return false;
        await tx.approvals.markApplied(run.id, key, attempt);
        return request.status === 'approved';
      }
      const budget = (await tx.runs.get(run.id))?.budget;
      if (!hasLimit(budget)) return true;
      const attempts = await tx.attempts.list(run.id);
      const spent = sumUsage(attempts);
      const expected = estimate(attempts.filter((entry) => entry.nodeId === nodeId).at(-1));
      const passes = limitsPassed(budget, spent, expected);
      if (passes.length === 0) return true;
      const draft: BudgetCheck = { budget, spent, estimate: expected, passes };
      await tx.approvals.request(run.id, key, attempt);
      await showRequest(tx, run.id, nodeId, attempt, draft);
      return false;
    });
  }
}
