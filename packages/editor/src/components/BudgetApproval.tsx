// A run stopped before a node that would take it past its budget: what the run has spent, what the node is
// expected to spend and which limit that passes; go on (with no budget, or with new limits) or cancel the run.
import { useState } from 'react';
import type { Budget, BudgetCheck, PendingApproval, TokenUsage } from '@storyloom/engine';
import { formatCost, formatTokens } from '../lib/runFigures';
import { decide } from '../store/runActions';
import { useRunNode } from './ApprovalPanel';
import { BudgetLimits, budgetLine } from './BudgetFields';

const spend = (usage: TokenUsage) => [formatTokens(usage.totalTokens), usage.costUsd !== undefined ? formatCost(usage.costUsd, usage.unpriced) : ''].filter(Boolean).join(' · ');

export function BudgetApprovalCard({ approval }: { approval: PendingApproval }) {
  const check = approval.draft as BudgetCheck;
  const node = useRunNode(approval.nodeId);
  const [raising, setRaising] = useState(false);
  const [limits, setLimits] = useState<Budget>(() => suggestedBudget(check));
  const [sending, setSending] = useState(false);
  const send = async (decision: Parameters<typeof decide>[1]) => {
    setSending(true);
    if (!(await decide(approval.nodeId, decision))) setSending(false);
  };
  const hasLimit = limits.maxTokens !== undefined || limits.maxCostUsd !== undefined;

  return (
    <article className="approval-card budget-card" data-approval={approval.nodeId} data-kind="budget" aria-label={`Budget: ${node.label}`}>
      <header>
        <div>
          <h5 className="card-title">{node.label} would pass the run’s budget</h5>
          <span className="muted small">It has not run yet. Budget: {budgetLine(check.budget)}</span>
        </div>
      </header>
      <dl className="budget-figures budget-check" data-testid="budget-figures">
        <dt>Spent so far</dt>
        <dd data-testid="budget-spent">{spend(check.spent)}</dd>
        <dt>{node.label}, estimated</dt>
        <dd data-testid="budget-estimate">
          {spend(check.estimate)} <span className="muted small">on {check.estimate.model}</span>
        </dd>
        <dt>Would pass</dt>
        <dd className="budget-passed">{check.passes.map((limit) => (limit === 'maxTokens' ? 'the token limit' : 'the cost limit')).join(' and ')}</dd>
      </dl>
      {raising && <BudgetLimits value={limits} onChange={setLimits} />}
      <div className="button-row">
        {raising ? (
          <>
            <button className="primary" data-testid="approve-button" disabled={sending || !hasLimit} onClick={() => void send({ decision: 'approve', budget: limits })}>
              Go on with this budget
            </button>
            <button onClick={() => setRaising(false)}>Back</button>
          </>
        ) : (
          <>
            <button className="primary" data-testid="raise-budget" disabled={sending} onClick={() => setRaising(true)}>
              Raise the budget…
            </button>
            <button data-testid="approve-without-budget" disabled={sending} onClick={() => void send({ decision: 'approve' })} title="The rest of the run has no budget">
              Go on without a budget
            </button>
            <button className="danger" data-testid="reject-button" disabled={sending} onClick={() => void send({ decision: 'reject' })}>
              Cancel the run
            </button>
          </>
        )}
      </div>
    </article>
  );
}

/** Room for this node and as much again: each limit it would pass, raised to twice spent + estimate. */
function suggestedBudget(check: BudgetCheck): Budget {
  const needed = (spent: number, estimate: number) => 2 * (spent + estimate);
  return {
    ...(check.budget.maxTokens !== undefined ? { maxTokens: Math.max(check.budget.maxTokens, Math.ceil(needed(check.spent.totalTokens, check.estimate.totalTokens))) } : {}),
    ...(check.budget.maxCostUsd !== undefined
      ? { maxCostUsd: Math.max(check.budget.maxCostUsd, Math.ceil(needed(check.spent.costUsd ?? 0, check.estimate.costUsd ?? 0) * 100) / 100) }
      : {}),
  };
}
