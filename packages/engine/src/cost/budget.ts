// Budget arithmetic shared by the runner (before each node) and the adapters (what they show): which limits a
// run's spending so far plus a node's estimate would pass, and the budget a run starts with.
import type { Budget, BudgetLimit, TokenUsage } from '../contract/run-view';

/** The limits that `spent` plus `estimate` would pass (none: the node may run). */
export function limitsPassed(budget: Budget, spent: TokenUsage, estimate: TokenUsage): BudgetLimit[] {
  const passed: BudgetLimit[] = [];
  if (budget.maxTokens !== undefined && spent.totalTokens + estimate.totalTokens > budget.maxTokens) passed.push('maxTokens');
  if (budget.maxCostUsd !== undefined && (spent.costUsd ?? 0) + (estimate.costUsd ?? 0) > budget.maxCostUsd) passed.push('maxCostUsd');
  return passed;
}

/** Whether a budget sets any limit (an empty one is what a run keeps once a person let it go past its budget). */
export function hasLimit(budget: Budget | undefined): budget is Budget {
  return budget !== undefined && (budget.maxTokens !== undefined || budget.maxCostUsd !== undefined);
}

/** The pipeline's budget with the run's own limits over it, limit by limit; undefined when neither sets one. */
export function runBudget(pipelineBudget: Budget | undefined, requested: Budget | undefined): Budget | undefined {
  const merged = { ...pipelineBudget, ...requested };
  return merged.maxTokens === undefined && merged.maxCostUsd === undefined ? undefined : merged;
}

/** `12,400 tokens`, `$0.0312`: a budget or a spend in a sentence. */
export function describeSpend(usage: { totalTokens?: number; costUsd?: number }): string {
  const parts: string[] = [];
  if (usage.totalTokens !== undefined) parts.push(`${usage.totalTokens.toLocaleString('en-US')} tokens`);
  if (usage.costUsd !== undefined) parts.push(formatUsd(usage.costUsd));
  return parts.join(', ');
}

/** Dollars with enough digits to tell small costs apart: `$0.0031`, `$1.25`. */
export function formatUsd(value: number): string {
  return `$${value >= 1 ? value.toFixed(2) : value.toFixed(4)}`;
}

/** A run a person stopped at its budget says so, in its view and in every fold of its events. */
export function budgetCancelMessage(nodeId: string | undefined): string {
  return `cancelled at its budget before '${nodeId ?? '?'}'`;
}
