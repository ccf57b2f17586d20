// The figures a producer reads about a run: how long it took, how many tokens it used, how far along it is,
// and what it was given, from the run view (and, for per-node durations, its events' timestamps).
import type { RunView } from '@storyloom/engine';

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

export function runTokens(run: Pick<RunView, 'nodes'>): number {
  return Object.values(run.nodes ?? {}).reduce((sum, node) => sum + (node.usage?.totalTokens ?? 0), 0);
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
