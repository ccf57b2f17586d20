// Plain-text views of problems, runs and drafts for people (the JSON views are the engine's RunView).
import { formatProblems } from '@storyloom/engine';
import type { BudgetCheck, NodeState, PendingApproval, RunView, TokenUsage, ValidationProblem } from '@storyloom/engine';

/** The engine's problem table, indented under a heading line. */
export function problemList(problems: readonly ValidationProblem[]): string {
  return indent(formatProblems(problems), '  ');
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

export function formatUsage(usage: TokenUsage | undefined, attempts?: NodeState['attempts']): string {
  if (!usage || usage.calls === 0) return '';
  const calls = usage.calls === 1 ? '1 call' : `${usage.calls} calls`;
  const runs = attempts && attempts.length > 1 ? `, ${attempts.length} attempts` : '';
  const cost = formatCost(usage);
  return `${formatTokens(usage.totalTokens)} tokens, ${calls}${runs}${cost ? `, ${cost}` : ''}`;
}

export function formatTokens(count: number): string {
  return count.toLocaleString('en-US');
}

/** `$0.0031`; `$0.0031 + unpriced` when some calls ran on a model the price table does not list; '' with no cost. */
export function formatCost(usage: Pick<TokenUsage, 'costUsd' | 'unpriced'> | undefined): string {
  if (!usage || (usage.costUsd === undefined && !usage.unpriced)) return '';
  const known = usage.costUsd === undefined ? '' : formatUsd(usage.costUsd);
  return usage.unpriced ? `${known ? `${known} + ` : ''}unpriced` : known;
}

export function formatUsd(value: number): string {
  return `$${value >= 1 ? value.toFixed(2) : value.toFixed(4)}`;
}

/** `tokens ≤ 20,000, cost ≤ $0.5000`. */
export function formatBudget(budget: RunView['budget']): string {
  if (!budget) return '';
  const limits: string[] = [];
  if (budget.maxTokens !== undefined) limits.push(`tokens ≤ ${formatTokens(budget.maxTokens)}`);
  if (budget.maxCostUsd !== undefined) limits.push(`cost ≤ ${formatUsd(budget.maxCostUsd)}`);
  return limits.join(', ');
}

/** Why a node waits at the budget: spent so far, the node's estimate, and the limits they would pass. */
export function formatBudgetCheck(nodeId: string, check: BudgetCheck): string[] {
  const spend = (usage: TokenUsage) => `${formatTokens(usage.totalTokens)} tokens${formatCost(usage) ? ` (${formatCost(usage)})` : ''}`;
  return [
    `${nodeId} has not run: it would take the run past its budget (${formatBudget(check.budget)}).`,
    `spent so far ${spend(check.spent)}; ${nodeId} is estimated at ${spend(check.estimate)} on ${check.estimate.model}`,
  ];
}

/** The commands that decide a pending approval. */
export function decideHint(runId: string, approval: PendingApproval): string {
  if (approval.kind === 'budget') {
    return `storyloom approve ${runId} ${approval.nodeId} [--budget-usd N] [--budget-tokens N] | storyloom reject ${runId} ${approval.nodeId}   (reject cancels the run)`;
  }
  return `storyloom approve ${runId} ${approval.nodeId} [--edit file] | storyloom reject ${runId} ${approval.nodeId} --feedback "…"`;
}

/** Aligned columns; the last column is not padded. */
export function table(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function formatRunList(runs: readonly RunView[]): string {
  if (runs.length === 0) return 'No runs.';
  const rows = [['RUN', 'PIPELINE', 'STATUS', 'NODES', 'TOKENS', 'COST', 'BY', 'UPDATED', 'WAITING ON']];
  for (const run of runs) {
    const nodes = Object.values(run.nodes);
    const done = nodes.filter((node) => node.status === 'completed' || node.status === 'reused' || node.status === 'skipped').length;
    rows.push([
      run.id,
      run.version ? `${run.pipelineId} v${run.version}` : run.pipelineId,
      run.interrupted ? `${run.status} (interrupted)` : run.status,
      `${done}/${nodes.length}`,
      formatTokens(run.usage?.totalTokens ?? 0),
      formatCost(run.usage) || '-',
      run.startedBy?.name ?? '',
      run.updatedAt,
      run.pending.map((approval) => approval.nodeId).join(', '),
    ]);
  }
  return table(rows);
}

export function formatRun(run: RunView): string {
  const lines = [
    `Run ${run.id}`,
    `  pipeline  ${run.pipelineId}${run.version ? ` v${run.version}` : ''}`,
    `  status    ${run.status}${run.interrupted ? ` — interrupted: no process is driving it; resume it with storyloom resume ${run.id}` : ''}`,
    `  inputs    ${Object.entries(run.inputs).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') || '(none)'}`,
  ];
  if (run.model !== undefined) lines.push(`  model     ${typeof run.model === 'string' ? run.model : JSON.stringify(run.model)}`);
  if (run.parentRunId) lines.push(`  rerun of  ${run.parentRunId}`);
  if (run.startedBy) lines.push(`  started   by ${run.startedBy.name} (${run.startedBy.role})`);
  lines.push(`  created   ${run.createdAt}`, `  updated   ${run.updatedAt}`);
  if (run.error) lines.push(`  error     ${run.error}`);
  if (run.usage) lines.push(`  usage     ${formatUsage(run.usage) || 'no model calls'}`);
  if (run.budget) lines.push(`  budget    ${formatBudget(run.budget)}`);
  lines.push('', table([
    ['NODE', 'STATUS', 'USAGE', 'ERROR'],
    ...Object.entries(run.nodes).map(([id, node]) => [id, node.status, formatUsage(node.usage, node.attempts), node.error ?? '']),
  ]).replace(/^/gm, '  '));
  for (const approval of run.pending) {
    if (approval.kind === 'budget') {
      lines.push('', `Waiting at the budget: ${approval.nodeId}`, ...formatBudgetCheck(approval.nodeId, approval.draft as BudgetCheck).map((line) => `  ${line}`));
    } else {
      lines.push('', `Waiting for approval: ${approval.nodeId}`, indent(preview(approval.draft, 30), '  '));
    }
    lines.push(`  decide: ${decideHint(run.id, approval)}`);
  }
  return lines.join('\n');
}

/** The draft as pretty JSON, cut to `maxLines` lines. */
export function preview(value: unknown, maxLines: number): string {
  const lines = (JSON.stringify(value, null, 2) ?? String(value)).split('\n');
  if (lines.length <= maxLines) return lines.join('\n');
  return [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join('\n');
}

export function indent(text: string, prefix: string): string {
  return text.replace(/^/gm, prefix);
}
