// The figures a producer reads about a run: how long it took, how many tokens it used and what they cost, how
// far along it is, what it was given and who started it, from the run view (and, for per-node durations, its
// events' timestamps).
import { type Actor, FINISHED_RUN_STATUSES, type NodeState, type RunView } from '@storyloom/engine';

const ENDED = new Set<string>(FINISHED_RUN_STATUSES);
const DONE_NODES = new Set(['completed', 'reused', 'skipped']);

/** Whether a run with this status has ended (completed, failed or cancelled): nothing in it moves any more. */
export function runEnded(status: string): boolean {
  return ENDED.has(status);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatTokens(tokens: number): string {
  return tokens >= 10_000 ? `${(tokens / 1000).toFixed(tokens >= 100_000 ? 0 : 1)}k tokens` : `${tokens.toLocaleString('en')} tokens`;
}

/** Wall time from creation to the end (or to now while it goes on). */
export function runDuration(run: Pick<RunView, 'createdAt' | 'updatedAt' | 'status'>, now = Date.now()): number {
  const end = runEnded(run.status) || run.status === 'waiting' ? Date.parse(run.updatedAt) : now;
  return end - Date.parse(run.createdAt);
}

/** A node's tokens and cost, every attempt summed by the server. */
export function nodeFigures(node: NodeState | undefined): { tokens: number; costUsd?: number; unpriced?: boolean } {
  const usage = node?.usage;
  return { tokens: usage?.totalTokens ?? 0, ...(usage?.costUsd !== undefined ? { costUsd: usage.costUsd } : {}), ...(usage?.unpriced ? { unpriced: true } : {}) };
}

/** The run's total as the server gives it, else the sum of its nodes. */
export function runTokens(run: Pick<RunView, 'nodes' | 'usage'>): number {
  return run.usage?.totalTokens ?? Object.values(run.nodes ?? {}).reduce((sum, node) => sum + nodeFigures(node).tokens, 0);
}

/** The run's cost in US dollars (undefined when nothing in it was priced), and whether some calls had no price. */
export function runCost(run: Pick<RunView, 'nodes' | 'usage'>): { costUsd?: number; unpriced?: boolean } {
  const nodes = Object.values(run.nodes ?? {}).map(nodeFigures);
  const unpriced = run.usage?.unpriced ?? nodes.some((node) => node.unpriced);
  const priced = nodes.map((node) => node.costUsd).filter((cost): cost is number => cost !== undefined);
  const costUsd = run.usage?.costUsd ?? (priced.length ? priced.reduce((sum, cost) => sum + cost, 0) : undefined);
  return { ...(costUsd !== undefined ? { costUsd } : {}), ...(unpriced ? { unpriced: true } : {}) };
}

/**
 * Dollars to the cent, small amounts to two significant figures (a cheap model's node costs fractions of one);
 * "at least" when some calls ran on a model without a price.
 */
export function formatCost(usd: number, unpriced = false): string {
  if (!Number.isFinite(usd) || usd < 0) return '';
  const amount = usd === 0 || usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
  return unpriced ? `≥ ${amount}` : amount;
}

/** Duration, tokens and cost on one line, leaving out what is unknown. */
export function figuresLine(figures: { ms?: number; tokens?: number; costUsd?: number; unpriced?: boolean }): string {
  return [
    figures.ms !== undefined ? formatDuration(figures.ms) : '',
    figures.tokens ? formatTokens(figures.tokens) : '',
    figures.costUsd !== undefined ? formatCost(figures.costUsd, figures.unpriced) : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Who started a run, in words: "Ana Ruiz (reviewer)". */
export function actorLabel(actor: Actor | undefined): string | undefined {
  return actor ? `${actor.name} (${actor.role})` : undefined;
}

/** Stages done out of all, for the progress bar. */
export function runProgress(statuses: Record<string, string>): { done: number; total: number } {
  const all = Object.values(statuses);
  return { done: all.filter((status) => DONE_NODES.has(status)).length, total: all.length };
}

/** The run's premise (or first text input), on one line. */
export function premiseOf(inputs: Record<string, unknown> | undefined): string | undefined {
  if (!inputs) return undefined;
  const text = inputs.premise ?? Object.values(inputs).find((value) => typeof value === 'string');
  return typeof text === 'string' ? text.split('\n')[0] : undefined;
}
