// A budget's two limits as number fields (empty: no such limit), for a pipeline's settings and for raising a
// run's budget at a budget approval.
import type { Budget } from '@storyloom/engine';
import { formatCost, formatTokens } from '../lib/runFigures';

/** `20,000 tokens · $0.50`, or `none`. */
export function budgetLine(budget: Budget | undefined): string {
  const parts = [budget?.maxTokens !== undefined ? formatTokens(budget.maxTokens) : '', budget?.maxCostUsd !== undefined ? formatCost(budget.maxCostUsd) : ''];
  return parts.filter(Boolean).join(' · ') || 'none';
}

export function BudgetLimits({ value, onChange }: { value: Budget | undefined; onChange: (budget: Budget) => void }) {
  const set = (key: keyof Budget, text: string) => {
    const next: Budget = { ...value };
    const number = Number(text);
    if (text.trim() === '' || !(number > 0)) delete next[key];
    else next[key] = key === 'maxTokens' ? Math.round(number) : number;
    onChange(next);
  };
  return (
    <div className="budget-raise">
      <label className="field">
        <span className="field-label">Most USD</span>
        <input type="number" min="0" step="0.01" data-testid="budget-usd" value={value?.maxCostUsd ?? ''} placeholder="no limit" onChange={(e) => set('maxCostUsd', e.target.value)} />
      </label>
      <label className="field">
        <span className="field-label">Most tokens</span>
        <input type="number" min="0" step="1000" data-testid="budget-tokens" value={value?.maxTokens ?? ''} placeholder="no limit" onChange={(e) => set('maxTokens', e.target.value)} />
      </label>
    </div>
  );
}
