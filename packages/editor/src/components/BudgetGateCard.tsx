// A run paused before a node that would take it past its budget: what the run has spent, what the node is
// expected to spend, which limit it would pass, and the ways on: go on past the budget, raise it, or stop the run.
import { useState } from 'react';
import type { ApprovalDecision, Budget, BudgetCheck, BudgetLimit, TokenUsage } from '@storyloom/engine';
import { formatCost, formatTokens } from '../lib/runFigures';

const isSpend = (value: unknown): value is TokenUsage => typeof (value as TokenUsage | undefined)?.totalTokens === 'number';

/** The figures in a budget approval's draft; undefined when it is not shaped like one (nothing is shown half-read). */
export function budgetIn(draft: unknown): BudgetCheck | undefined {
  const shown = draft as Partial<BudgetCheck> | null | undefined;
  if (!shown || typeof shown.budget !== 'object' || !isSpend(shown.spent) || !isSpend(shown.estimate) || !Array.isArray(shown.passes)) return undefined;
  return shown as BudgetCheck;
}

const spendText = (spend: TokenUsage) =>
  [formatTokens(spend.totalTokens), spend.costUsd !== undefined ? formatCost(spend.costUsd, spend.unpriced) : ''].filter(Boolean).join(' · ');

/** Room for this node and a little more: what was spent plus the estimate, rounded up. */
function suggestedBudget(shown: BudgetCheck): Budget {
  const tokens = shown.spent.totalTokens + shown.estimate.totalTokens;
  const cost = (shown.spent.costUsd ?? 0) + (shown.estimate.costUsd ?? 0);
  return {
    ...(shown.budget.maxTokens !== undefined ? { maxTokens: Math.ceil((tokens * 1.2) / 1000) * 1000 } : {}),
    ...(shown.budget.maxCostUsd !== undefined ? { maxCostUsd: Math.ceil(cost * 1.2 * 100) / 100 } : {}),
  };
}

export interface BudgetGateCardProps {
  label: string;
  draft: unknown;
  disabled: boolean;
  /** Why this person may not decide it (their role), shown instead of the choices. */
  blocked?: string;
  onDecide(decision: ApprovalDecision): Promise<boolean>;
}

export function BudgetGateCard({ label, draft, disabled, blocked, onDecide }: BudgetGateCardProps) {
  const shown = budgetIn(draft);
  const [raising, setRaising] = useState(false);
  const [limits, setLimits] = useState<Budget>(() => (shown ? suggestedBudget(shown) : {}));
  if (!shown) return <p className="field-problem">This budget check could not be read; stop the run or let it go on.</p>;
  const passes = (limit: BudgetLimit) => shown.passes.includes(limit);
  const limitInput = (limit: BudgetLimit, text: string, step: string) => (
    <label className="field">
      <span className="field-label">{text}</span>
      <input
        type="number"
        min="0"
        step={step}
        data-testid={`budget-${limit}`}
        value={limits[limit] ?? ''}
        onChange={(e) => setLimits((l) => ({ ...l, [limit]: e.target.value === '' ? undefined : Number(e.target.value) }))}
      />
    </label>
  );
  const raised = Object.values(limits).some((value) => value !== undefined);
  return (
    <div className="budget-check" data-testid="budget-check" role="note">
      <p className="small">
        {label} has not run yet: it would take this run past its budget. Nothing more is spent until you decide.
      </p>
      <dl className="budget-figures">
        <dt>Spent so far</dt>
        <dd data-testid="budget-spent">{spendText(shown.spent)}</dd>
        <dt>{label} is expected to spend</dt>
        <dd data-testid="budget-estimate">
          about {spendText(shown.estimate)}
          {shown.estimate.model ? <span className="muted"> on {shown.estimate.model}</span> : null}
        </dd>
        <dt>Budget</dt>
        <dd data-testid="budget-limits">
          {shown.budget.maxTokens !== undefined && <span className={passes('maxTokens') ? 'budget-passed' : ''}>{formatTokens(shown.budget.maxTokens)}</span>}
          {shown.budget.maxTokens !== undefined && shown.budget.maxCostUsd !== undefined && ' · '}
          {shown.budget.maxCostUsd !== undefined && <span className={passes('maxCostUsd') ? 'budget-passed' : ''}>{formatCost(shown.budget.maxCostUsd)}</span>}
          {shown.passes.length > 0 && <span className="muted"> (would pass the {shown.passes.map((p) => (p === 'maxTokens' ? 'token' : 'cost')).join(' and ')} limit)</span>}
        </dd>
      </dl>
      {raising && (
        <div className="budget-raise">
          {shown.budget.maxTokens !== undefined && limitInput('maxTokens', 'New token limit', '1000')}
          {shown.budget.maxCostUsd !== undefined && limitInput('maxCostUsd', 'New cost limit (US dollars)', '0.01')}
        </div>
      )}
      {blocked ? (
        <p className="decision-blocked small" data-testid="decision-blocked">
          {blocked}.
        </p>
      ) : (
        <div className="button-row">
          {raising ? (
            <>
              <button className="primary" data-testid="budget-raise-submit" disabled={disabled || !raised} onClick={() => void onDecide({ decision: 'approve', budget: limits })}>
                Raise the budget and go on
              </button>
              <button onClick={() => setRaising(false)}>Cancel</button>
            </>
          ) : (
            <>
              <button className="primary" data-testid="budget-raise" disabled={disabled} onClick={() => setRaising(true)}>
                Raise the budget…
              </button>
              <button data-testid="approve-button" disabled={disabled} onClick={() => void onDecide({ decision: 'approve' })}>
                Go on without a budget
              </button>
              <button className="danger" data-testid="budget-stop" disabled={disabled} onClick={() => void onDecide({ decision: 'reject', feedback: `Stopped at its budget before ${label}.` })}>
                Stop the run
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
