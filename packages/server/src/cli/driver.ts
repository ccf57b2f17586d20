// Drives a run in the foreground for `run`, `approve`, `reject`, `resume` and `rerun`: shows progress,
// asks at approvals in a terminal (or stops with exit 3 without one), follows a run another process is
// driving, stops cleanly on Ctrl-C, and ends with the run's exit code, `--json` and `--out`.
import { isStoryloomError } from '@storyloom/engine';
import type { BudgetCheck, ExportedDocument, Pipeline, RunView } from '@storyloom/engine';
import { askApproval } from './approval-prompt';
import type { CliContext } from './context';
import { EXIT, exitCodeForStatus, invalid } from './errors';
import { decideHint, formatBudgetCheck, formatDuration, formatUsage } from './format';
import { writeRunOutputs } from './output-files';
import { LiveReporter } from './progress/live-reporter';
import { PlainReporter } from './progress/plain-reporter';
import type { ProgressReporter } from './progress/reporter';

export interface ForegroundOptions {
  runId: string;
  /** Known for `run`: names the export nodes for `--out`. */
  pipeline?: Pipeline;
  json?: boolean;
  outDir?: string;
  /** Printed once progress starts (e.g. which model is used). */
  notes?: string[];
}

const SETTLED = new Set(['completed', 'failed', 'cancelled']);
const FOLLOW_POLL_MS = 500;

export async function driveInForeground(ctx: CliContext, options: ForegroundOptions): Promise<number> {
  const storyloom = await ctx.storyloom();
  const { runId } = options;
  const progressStream = options.json || !ctx.interactive ? ctx.io.stderr : ctx.io.stdout;
  const reporter: ProgressReporter =
    ctx.interactive && progressStream.isTTY ? new LiveReporter(progressStream, ctx.io.env) : new PlainReporter(progressStream);
  const say = (text: string) => progressStream.write(`${text}\n`);
  const started = Date.now();

  const interrupt = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) {
      reporter.stop();
      say(`\nStopped. Resume with: storyloom resume ${runId}`);
      process.exit(EXIT.interrupted);
    }
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  let unsubscribe: (() => void) | undefined;
  let following = false;

  try {
    let view = await requireRun(ctx, runId);
    for (const note of options.notes ?? []) reporter.note(note);
    reporter.start(view);
    unsubscribe = storyloom.subscribe(runId, (event) => reporter.event(event));

    for (;;) {
      if (SETTLED.has(view.status)) break;
      try {
        view = await storyloom.drive(runId, { signal: interrupt.signal });
      } catch (error) {
        if (!isStoryloomError(error, 'lease_held')) throw error;
        // Another process (a CLI or the server) is driving it: show its progress until it stops or its
        // holder dies and the lease frees up, then take over.
        if (!following) {
          reporter.note(`Run ${runId} is being driven by another process (${(error as Error).message}).`);
          reporter.note('Following its progress here; Ctrl-C stops following (the run goes on there).');
          following = true;
        }
        await sleep(FOLLOW_POLL_MS, interrupt.signal);
        if (interrupt.signal.aborted) break;
        view = await requireRun(ctx, runId);
        if (view.status !== 'waiting') continue; // settled (loop ends) or still running (try again)
      }
      // Settled (the loop ends), or stopped by Ctrl-C, or anything unexpected: report it as it is.
      if (interrupt.signal.aborted || view.status !== 'waiting') break;

      // Waiting for approval: ask in a terminal, else stop here with exit 3.
      if (!ctx.interactive) break;
      reporter.stop();
      let later = false;
      for (const approval of view.pending) {
        const outcome = await askApproval({ stdin: ctx.io.stdin, output: progressStream, env: ctx.io.env }, approval, async (decision) =>
          storyloom.decide(runId, approval.nodeId, decision, await ctx.actor('decide')),
        );
        if (outcome === 'later') {
          later = true;
          break;
        }
      }
      if (later) break;
      view = await requireRun(ctx, runId);
      reporter.start(); // events kept flowing while asking: the display is current
    }
    reporter.stop();

    view = await requireRun(ctx, runId);
    if (interrupt.signal.aborted && !SETTLED.has(view.status) && view.status !== 'waiting') {
      say(
        following
          ? `\nStopped following run ${runId}; it goes on in the other process (watch it with: storyloom show ${runId}).`
          : `\nStopped driving run ${runId} (${view.status}). It is saved; continue it with: storyloom resume ${runId}`,
      );
      if (options.json) ctx.out(JSON.stringify(view, null, 2));
      return EXIT.interrupted;
    }
    return await finish(ctx, view, options, say, Date.now() - started);
  } finally {
    unsubscribe?.();
    reporter.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

async function finish(
  ctx: CliContext,
  view: RunView,
  options: ForegroundOptions,
  say: (text: string) => void,
  elapsedMs: number,
): Promise<number> {
  const { runId } = options;
  switch (view.status) {
    case 'completed':
      say(`Run ${runId} completed in ${formatDuration(elapsedMs)}${formatUsage(view.usage) ? ` (${formatUsage(view.usage)})` : ''}.`);
      break;
    case 'waiting': {
      const waitingOn = view.pending.map((approval) => approval.nodeId);
      say(`Run ${runId} is waiting for approval of ${waitingOn.join(', ') || 'a node'}.`);
      for (const approval of view.pending) {
        if (approval.kind === 'budget') {
          for (const line of formatBudgetCheck(approval.nodeId, approval.draft as BudgetCheck)) say(`  ${line}`);
          say(`  ${decideHint(runId, approval)}`);
          continue;
        }
        say(`  storyloom approve ${runId} ${approval.nodeId} [--edit file.json]`);
        say(`  storyloom reject ${runId} ${approval.nodeId} --feedback "what to change"`);
      }
      say(`  storyloom show ${runId}   (to read the draft)`);
      break;
    }
    case 'failed':
      say(`Run ${runId} failed: ${view.error ?? failedNodeMessage(view) ?? 'unknown error'}`);
      say(`  Fix the cause, then continue it with: storyloom resume ${runId}`);
      break;
    case 'cancelled':
      say(`Run ${runId} was cancelled.`);
      break;
    default:
      say(`Run ${runId} stopped while ${view.status}; continue it with: storyloom resume ${runId}`);
  }
  if (options.outDir && view.status === 'completed') {
    const written = writeRunOutputs(view, options.pipeline, options.outDir, ctx.io.cwd, await renderedDocuments(ctx, runId));
    say(`Wrote ${written.join(', ')}`);
  }
  if (options.json) ctx.out(JSON.stringify(view, null, 2));
  else if (view.status === 'waiting') ctx.out(runId);
  return exitCodeForStatus(view.status);
}

/** The run's PDF for `--out`, when it has written scenes (a run that stops at its plan has none). */
async function renderedDocuments(ctx: CliContext, runId: string): Promise<ExportedDocument[]> {
  try {
    return [await (await ctx.storyloom()).exportRun(runId, 'pdf')];
  } catch (error) {
    if (isStoryloomError(error, 'conflict')) return [];
    throw error;
  }
}

function failedNodeMessage(view: RunView): string | undefined {
  const failed = Object.entries(view.nodes).find(([, node]) => node.status === 'failed');
  return failed ? `node '${failed[0]}': ${failed[1].error ?? 'failed'}` : undefined;
}

export async function requireRun(ctx: CliContext, runId: string): Promise<RunView> {
  return (await ctx.storyloom()).requireRun(runId);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
