// Plain-text views of problems, runs and drafts for people (the JSON views are the engine's RunView).
import { formatProblems } from '@storyloom/engine';
import type { RunView, TokenUsage, ValidationProblem } from '@storyloom/engine';

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

export function formatUsage(usage: TokenUsage | undefined): string {
  if (!usage || usage.calls === 0) return '';
  const calls = usage.calls === 1 ? '1 call' : `${usage.calls} calls`;
  return `${usage.totalTokens} tokens, ${calls}`;
}

/** Aligned columns; the last column is not padded. */
export function table(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function formatRunList(runs: readonly RunView[]): string {
  if (runs.length === 0) return 'No runs.';
  const rows = [['RUN', 'PIPELINE', 'STATUS', 'NODES', 'BY', 'UPDATED', 'WAITING ON']];
  for (const run of runs) {
    const nodes = Object.values(run.nodes);
    const done = nodes.filter((node) => node.status === 'completed' || node.status === 'reused' || node.status === 'skipped').length;
    rows.push([
      run.id,
      run.version ? `${run.pipelineId} v${run.version}` : run.pipelineId,
      run.interrupted ? `${run.status} (interrupted)` : run.status,
      `${done}/${nodes.length}`,
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
  lines.push('', table([
    ['NODE', 'STATUS', 'USAGE', 'ERROR'],
    ...Object.entries(run.nodes).map(([id, node]) => [id, node.status, formatUsage(node.usage), node.error ?? '']),
  ]).replace(/^/gm, '  '));
  for (const approval of run.pending) {
    lines.push('', `Waiting for approval: ${approval.nodeId}`, indent(preview(approval.draft, 30), '  '));
    lines.push(`  decide: storyloom approve ${run.id} ${approval.nodeId} [--edit file] | storyloom reject ${run.id} ${approval.nodeId} --feedback "…"`);
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
