// Token and cost figures added up: an attempt's calls, a node's attempts, a run's nodes, a pipeline's days.
import type { TokenUsage } from '../contract/run-view';

/** To a millionth of a dollar: sums of float costs carry no dust. */
export function roundUsd(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000;
}

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0, calls: 0 };
}

/** The sum of `parts` (cost only where some part had one; unpriced when any part was). */
export function sumUsage(parts: readonly TokenUsage[]): TokenUsage {
  const total = emptyUsage();
  let cost: number | undefined;
  for (const part of parts) {
    total.inputTokens += part.inputTokens;
    total.outputTokens += part.outputTokens;
    total.totalTokens += part.totalTokens;
    total.calls += part.calls;
    if (part.costUsd !== undefined) cost = (cost ?? 0) + part.costUsd;
    if (part.unpriced) total.unpriced = true;
  }
  if (cost !== undefined) total.costUsd = roundUsd(cost);
  return total;
}
