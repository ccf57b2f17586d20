// `storyloom rerun <runId> --from <nodeId>`: a new run from a node of an earlier one, reusing every output not
// downstream of what changed; `--edit nodeId=file.json` replaces a node's output (and counts as a change). A node id
// the run does not have is refused (exit 2); the new run is then driven in the foreground as `run` drives one.
import { DB_FLAG } from '../context';
import { driveInForeground, requireRun } from '../driver';
import { invalid } from '../errors';
import { readJsonFile } from '../json-file';
import { JSON_FLAG, OUT_FLAG, RUN_EXIT_NOTES, boolFlag, listFlag, positional, stringFlag, type Command } from './command';

export const rerunCommand: Command = {
  spec: {
    name: 'rerun',
    summary: 'Start a new run from a node: outputs not downstream of what changed are reused, the rest recomputed.',
    positionals: [{ name: 'runId', description: 'the run to start from', required: true }],
    flags: [
      { name: 'from', kind: 'string', valueName: 'nodeId', description: 'recompute this node and everything after it', required: true },
      { name: 'edit', kind: 'list', valueName: 'nodeId=file', description: "replace a node's output with a JSON file (repeatable; counts as a change)" },
      JSON_FLAG,
      OUT_FLAG,
      DB_FLAG,
    ],
    notes: RUN_EXIT_NOTES,
  },
  async run(ctx, args) {
    const parentId = positional(args, 'runId');
    const parent = await requireRun(ctx, parentId);
    const from = stringFlag(args, 'from') ?? '';
    const known = Object.keys(parent.nodes);
    if (!known.includes(from)) throw invalid(`run ${parentId} has no node '${from}' (nodes: ${known.join(', ')})`);
    const edits: Record<string, unknown> = {};
    for (const pair of listFlag(args, 'edit')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw invalid(`--edit '${pair}' must look like nodeId=file.json`);
      const nodeId = pair.slice(0, equals);
      if (!known.includes(nodeId)) throw invalid(`--edit: run ${parentId} has no node '${nodeId}' (nodes: ${known.join(', ')})`);
      edits[nodeId] = readJsonFile(pair.slice(equals + 1), ctx.io.cwd, `edit file for '${nodeId}'`);
    }
    const view = await (await ctx.storyloom()).rerun(parentId, { from, edits: Object.keys(edits).length ? edits : undefined }, await ctx.actor('author'));
    const reused = Object.entries(view.nodes).filter(([, node]) => node.status === 'reused').map(([id]) => id);
    return driveInForeground(ctx, {
      runId: view.id,
      json: boolFlag(args, 'json'),
      outDir: stringFlag(args, 'out'),
      notes: [`Run ${view.id}: rerun of ${parentId} from '${from}'${reused.length ? ` (reusing ${reused.join(', ')})` : ''}`],
    });
  },
};
