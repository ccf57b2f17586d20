import { DB_FLAG } from '../context';
import { requireRun } from '../driver';
import { EXIT } from '../errors';
import { formatRun } from '../format';
import { boolFlag, positional, type Command } from './command';

export const showCommand: Command = {
  spec: {
    name: 'show',
    summary: 'Show a run: status, nodes, usage, errors and pending approvals with their drafts.',
    positionals: [{ name: 'runId', description: 'the run', required: true }],
    flags: [{ name: 'json', kind: 'boolean', description: 'print the run as JSON (as GET /api/runs/:id)' }, DB_FLAG],
  },
  async run(ctx, args) {
    const view = requireRun(ctx, positional(args, 'runId'));
    ctx.out(boolFlag(args, 'json') ? JSON.stringify(view, null, 2) : formatRun(view));
    return EXIT.completed;
  },
};
