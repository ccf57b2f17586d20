// `storyloom show <runId>`: a run's status, nodes, usage, errors and pending approvals with their drafts, as text or
// (`--json`) as the API answers it; `--events` prints its event log instead, leaving token events out of the text.
import type { RunEvent } from '@storyloom/engine';
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
    flags: [
      { name: 'json', kind: 'boolean', description: 'print the run as JSON (as GET /api/runs/:id); with --events, the event log as a JSON array' },
      { name: 'events', kind: 'boolean', description: "print the run's event log instead (token events left out unless --json)" },
      DB_FLAG,
    ],
  },
  async run(ctx, args) {
    const runId = positional(args, 'runId');
    const view = await requireRun(ctx, runId);
    const json = boolFlag(args, 'json');
    if (boolFlag(args, 'events')) {
      const events = await (await ctx.storyloom()).events(runId);
      ctx.out(json ? JSON.stringify(events, null, 2) : events.filter((e) => e.type !== 'node.token').map(formatEvent).join('\n'));
      return EXIT.completed;
    }
    ctx.out(json ? JSON.stringify(view, null, 2) : formatRun(view));
    return EXIT.completed;
  },
};

function formatEvent(event: RunEvent): string {
  const data = Object.keys(event.data ?? {}).length ? ` ${JSON.stringify(event.data).slice(0, 160)}` : '';
  return `${String(event.seq).padStart(4)}  ${event.at}  ${event.type.padEnd(18)} ${event.nodeId ?? ''}${data}`;
}
