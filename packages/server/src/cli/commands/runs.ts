// `storyloom runs`: lists runs, newest first, as a table or (`--json`) a JSON array, optionally only those of one
// status; an unknown status is refused (exit 2).
import { RUN_STATUSES } from '@storyloom/engine';
import type { RunStatus } from '@storyloom/engine';
import { DB_FLAG } from '../context';
import { EXIT, invalid } from '../errors';
import { formatRunList } from '../format';
import { boolFlag, stringFlag, type Command } from './command';

export const runsCommand: Command = {
  spec: {
    name: 'runs',
    summary: 'List runs, newest first.',
    positionals: [],
    flags: [
      { name: 'status', kind: 'string', valueName: 's', description: `only runs with this status: ${RUN_STATUSES.join(', ')}` },
      { name: 'json', kind: 'boolean', description: 'print the runs as a JSON array on stdout' },
      DB_FLAG,
    ],
  },
  async run(ctx, args) {
    const status = stringFlag(args, 'status');
    if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
      throw invalid(`unknown status '${status}': use one of ${RUN_STATUSES.join(', ')}`);
    }
    const runs = await (await ctx.storyloom()).listRuns(status ? { status: status as RunStatus } : undefined);
    ctx.out(boolFlag(args, 'json') ? JSON.stringify(runs, null, 2) : formatRunList(runs));
    return EXIT.completed;
  },
};
