// `storyloom resume <runId>`: continues a run from its last checkpoint, in the foreground. A completed run is left as
// it is (exit 0); a failed or cancelled one is made drivable again first; a waiting, running or queued one is simply
// driven, which takes over a run whose process died and follows one whose process is alive.
import { isStoryloomError } from '@storyloom/engine';
import { DB_FLAG } from '../context';
import { driveInForeground, requireRun } from '../driver';
import { EXIT, invalid } from '../errors';
import { JSON_FLAG, OUT_FLAG, RUN_EXIT_NOTES, boolFlag, positional, stringFlag, type Command } from './command';

export const resumeCommand: Command = {
  spec: {
    name: 'resume',
    summary: 'Continue an interrupted, failed or waiting run from its last checkpoint (completed nodes are not run again).',
    positionals: [{ name: 'runId', description: 'the run', required: true }],
    flags: [JSON_FLAG, OUT_FLAG, DB_FLAG],
    notes: RUN_EXIT_NOTES,
  },
  async run(ctx, args) {
    const runId = positional(args, 'runId');
    const view = await requireRun(ctx, runId);
    const json = boolFlag(args, 'json');
    if (view.status === 'completed') {
      ctx.err(`Run ${runId} has already completed; nothing to resume (see: storyloom show ${runId}).`);
      if (json) ctx.out(JSON.stringify(view, null, 2));
      return EXIT.completed;
    }
    // Failed and cancelled runs are made drivable again. A waiting run needs nothing (driving it applies
    // stored decisions or stops at the approval again); a running or queued one is simply driven: if its
    // process died the lease is free and this process takes over, if it lives the driver follows it.
    if (view.status === 'failed' || view.status === 'cancelled') {
      try {
        await (await ctx.storyloom()).resume(runId, await ctx.actor('author'));
      } catch (error) {
        if (isStoryloomError(error, 'conflict')) throw invalid(`cannot resume run ${runId} (${view.status}): ${(error as Error).message}`);
        throw error;
      }
    }
    return driveInForeground(ctx, { runId, json, outDir: stringFlag(args, 'out'), notes: [`Resuming run ${runId} (${view.pipelineId})`] });
  },
};
