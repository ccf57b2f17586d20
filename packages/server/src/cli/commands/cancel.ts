// `storyloom cancel <runId>`: cancels a run; a process driving it stops promptly, even inside a model call. A run that
// has already completed or been cancelled is refused (exit 2); otherwise it exits 0 and says whether the run is
// cancelled or its cancellation has been requested.
import { DB_FLAG } from '../context';
import { requireRun } from '../driver';
import { EXIT, invalid } from '../errors';
import { positional, type Command } from './command';

export const cancelCommand: Command = {
  spec: {
    name: 'cancel',
    summary: 'Cancel a run; a process driving it stops promptly, also inside a model call.',
    positionals: [{ name: 'runId', description: 'the run', required: true }],
    flags: [DB_FLAG],
  },
  async run(ctx, args) {
    const runId = positional(args, 'runId');
    const before = await requireRun(ctx, runId);
    if (before.status === 'completed' || before.status === 'cancelled') {
      throw invalid(`run ${runId} is already ${before.status}`);
    }
    const view = await (await ctx.storyloom()).cancel(runId, await ctx.actor('author'));
    ctx.err(view.status === 'cancelled' ? `Run ${runId} cancelled.` : `Cancellation of run ${runId} requested (it is ${view.status}).`);
    return EXIT.completed;
  },
};
