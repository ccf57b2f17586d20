// `approve` and `reject`: store the decision, then go on driving the run like `run` does.
import type { ApprovalDecision, PendingApproval } from '@storyloom/engine';
import type { ParsedArgs } from '../args';
import { BUDGET_FLAGS, budgetFromFlags } from '../budget-flags';
import { DB_FLAG, type CliContext } from '../context';
import { driveInForeground, requireRun } from '../driver';
import { invalid } from '../errors';
import { readJsonFile } from '../json-file';
import { JSON_FLAG, OUT_FLAG, RUN_EXIT_NOTES, boolFlag, positional, stringFlag, type Command } from './command';

const TARGET = [
  { name: 'runId', description: 'the waiting run', required: true },
  { name: 'nodeId', description: 'the node waiting for approval', required: true },
];

interface DriveFlags {
  json: boolean;
  outDir?: string;
}

function driveFlags(args: ParsedArgs): DriveFlags {
  return { json: boolFlag(args, 'json'), outDir: stringFlag(args, 'out') };
}

function decisionSummary(decision: ApprovalDecision): string {
  switch (decision.decision) {
    case 'reject':
      return 'rejected';
    case 'edit':
      return 'approved with an edit';
    case 'choose':
      return `approved with candidate ${decision.candidate}${decision.output === undefined ? '' : ', edited'}`;
    default:
      return 'approved';
  }
}

/** The approval `nodeId` of the run is waiting at; exit 2 naming what does wait when it is not. */
async function pendingApproval(ctx: CliContext, runId: string, nodeId: string): Promise<PendingApproval> {
  const before = await requireRun(ctx, runId);
  const pending = before.pending.find((approval) => approval.nodeId === nodeId);
  if (pending) return pending;
  const waiting = before.pending.map((approval) => approval.nodeId);
  throw invalid(`node '${nodeId}' of run ${runId} is not waiting for approval (run is ${before.status}${waiting.length ? `; waiting: ${waiting.join(', ')}` : ''})`);
}

async function decideAndDrive(ctx: CliContext, runId: string, nodeId: string, decision: ApprovalDecision, flags: DriveFlags): Promise<number> {
  await (await ctx.storyloom()).decide(runId, nodeId, decision, await ctx.actor('decide'));
  return driveInForeground(ctx, { runId, ...flags, notes: [`Run ${runId}: ${nodeId} ${decisionSummary(decision)}`] });
}

export const approveCommand: Command = {
  spec: {
    name: 'approve',
    summary: 'Approve a waiting node (optionally replacing its output), then continue the run.',
    positionals: TARGET,
    flags: [
      { name: 'edit', kind: 'string', valueName: 'file', description: "JSON file replacing the node's output (checked against its output schema)" },
      { name: 'candidate', kind: 'string', valueName: 'i', description: 'keep candidate i (0-based) of a node that wrote several; with --edit, the file replaces it' },
      ...BUDGET_FLAGS.map((flag) => ({ ...flag, description: `at a budget approval: new limit, ${flag.description}` })),
      JSON_FLAG,
      OUT_FLAG,
      DB_FLAG,
    ],
    notes: [
      'An edit that is not valid JSON or does not fit the output schema exits 2 and changes nothing.',
      'At a budget approval (the node would take the run past its budget) approve lets the run go on: with',
      '--budget-usd/--budget-tokens under those limits, without them with no budget from there on.',
      ...RUN_EXIT_NOTES,
    ],
  },
  async run(ctx, args) {
    const runId = positional(args, 'runId');
    const nodeId = positional(args, 'nodeId');
    const pending = await pendingApproval(ctx, runId, nodeId);
    const budget = budgetFromFlags(args);
    if (pending.kind === 'budget') {
      if (stringFlag(args, 'edit') !== undefined || stringFlag(args, 'candidate') !== undefined) {
        throw invalid(`${nodeId} waits at the run's budget and has written nothing to edit or choose: approve (optionally with --budget-usd/--budget-tokens) or reject`);
      }
      return decideAndDrive(ctx, runId, nodeId, { decision: 'approve', ...(budget ? { budget } : {}) }, driveFlags(args));
    }
    if (budget) throw invalid(`--budget-usd and --budget-tokens apply at a budget approval; ${nodeId} waits for its draft to be approved`);
    const editFile = stringFlag(args, 'edit');
    const output = editFile === undefined ? undefined : readJsonFile(editFile, ctx.io.cwd, 'edit file');
    const candidateFlag = stringFlag(args, 'candidate');
    let decision: ApprovalDecision = output === undefined ? { decision: 'approve' } : { decision: 'edit', output };
    if (candidateFlag !== undefined) {
      if (!/^\d+$/.test(candidateFlag.trim())) throw invalid(`--candidate must be a candidate's number (0, 1, 2 …), got '${candidateFlag}'`);
      decision = { decision: 'choose', candidate: Number(candidateFlag), ...(output === undefined ? {} : { output }) };
    }
    return decideAndDrive(ctx, runId, nodeId, decision, driveFlags(args));
  },
};

export const rejectCommand: Command = {
  spec: {
    name: 'reject',
    summary: 'Reject a waiting node with feedback: it is rewritten with the feedback, then asks again (at a budget approval: cancel the run).',
    positionals: TARGET,
    flags: [
      { name: 'feedback', kind: 'string', valueName: 'text', description: 'what should change (required, except at a budget approval)' },
      JSON_FLAG,
      OUT_FLAG,
      DB_FLAG,
    ],
    notes: RUN_EXIT_NOTES,
  },
  async run(ctx, args) {
    const runId = positional(args, 'runId');
    const nodeId = positional(args, 'nodeId');
    const pending = await pendingApproval(ctx, runId, nodeId);
    const feedback = stringFlag(args, 'feedback')?.trim() ?? '';
    if (feedback === '' && pending.kind !== 'budget') throw invalid('--feedback must say what should change');
    return decideAndDrive(ctx, runId, nodeId, { decision: 'reject', ...(feedback ? { feedback } : {}) }, driveFlags(args));
  },
};
