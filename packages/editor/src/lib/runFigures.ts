// The figures a producer reads about a run: how long it took, how many tokens it used and what they cost, how
// far along it is, what it was given and who started it, from the run view (and, for per-node durations, its
// events' timestamps).
import type { Actor, RunView } from '@storyloom/engine';

const ENDED = new Set(['completed', 'failed', 'cancelled']);
const DONE_NODES = new Set(['completed', 'reused', 'skipped']);

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
  const end = ENDED.has(run.status) || run.status === 'waiting' ? Date.parse(run.updatedAt) : now;
  return end - Date.parse(run.createdAt);
}

/** Usage as the server reports it for a node or a run; the cost only where it prices the model's calls. */
interface PricedUsage {
  totalTokens?: number;
  costUsd?: number;
}

const usageOf = (holder: unknown): PricedUsage | undefined => (holder as { usage?: PricedUsage } | undefined)?.usage;

/** A node's tokens and cost, from its usage (every attempt summed by the server). */
export function nodeFigures(node: unknown): { tokens: number; costUsd?: number } {
  const usage = usageOf(node);
  return { tokens: usage?.totalTokens ?? 0, ...(usage?.costUsd !== undefined ? { costUsd: usage.costUsd } : {}) };
}

/** The run's total as the server gives it, else the sum of its nodes. */
export function runTokens(run: Pick<RunView, 'nodes'>): number {
  return usageOf(run)?.totalTokens ?? Object.values(run.nodes ?? {}).reduce((sum, node) => sum + nodeFigures(node).tokens, 0);
}

/** The run's cost in US dollars, or undefined when nothing in it was priced. */
export function runCost(run: Pick<RunView, 'nodes'>): number | undefined {
  const total = usageOf(run)?.costUsd;
  if (total !== undefined) return total;
  const priced = Object.values(run.nodes ?? {})
    .map((node) => nodeFigures(node).costUsd)
    .filter((cost): cost is number => cost !== undefined);
  return priced.length ? priced.reduce((sum, cost) => sum + cost, 0) : undefined;
}

/** Dollars to the cent, and small amounts to two significant figures (a cheap model's node costs fractions of one). */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd) || usd < 0) return '';
  if (usd === 0 || usd >= 0.01) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(2)}`;
}

/** Duration, tokens and cost on one line, leaving out what is unknown. */
export function figuresLine(figures: { ms?: number; tokens?: number; costUsd?: number }): string {
  return [
    figures.ms !== undefined ? formatDuration(figures.ms) : '',
    figures.tokens ? formatTokens(figures.tokens) : '',
    figures.costUsd !== undefined ? formatCost(figures.costUsd) : '',
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
