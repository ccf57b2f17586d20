// The interactive approval question of a terminal run: approve, edit the draft in $EDITOR (as JSON,
// re-asked until the engine accepts it), reject with feedback, view the whole draft, or decide later.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { isStoryloomError } from '@storyloom/engine';
import type { ApprovalDecision, BudgetCheck, PendingApproval } from '@storyloom/engine';
import { formatBudgetCheck, formatUsd, indent, preview } from './format';

export type ApprovalOutcome = 'decided' | 'later';

export interface ApprovalPromptIO {
  stdin: NodeJS.ReadStream;
  /** Where the question is printed (the terminal). */
  output: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** Enough of the draft to judge it without scrolling the question off a small terminal. */
function previewLines(output: NodeJS.WriteStream): number {
  return Math.max(10, (output.rows || 40) - 12);
}

/** Asks until a decision is stored (`decide` throws the engine's errors) or the person chooses later. */
export async function askApproval(
  io: ApprovalPromptIO,
  approval: PendingApproval,
  decide: (decision: ApprovalDecision) => Promise<unknown>,
): Promise<ApprovalOutcome> {
  const say = (text: string) => io.output.write(`${text}\n`);
  if (approval.kind === 'budget') return askBudget(io, approval, decide, say);
  const candidates = approval.candidates ?? [];
  say('');
  if (approval.kind === 'policy') {
    say(`⚠  Content policy: ${approval.nodeId} flagged the text for a person to look at (an aid, not a verdict):`);
    for (const flag of policyFlags(approval.draft)) say(`   - ${flag.scene === null ? '' : `scene ${flag.scene}: `}${flag.category}: ${flag.message} — “${flag.evidence}”`);
  }
  say(`⏸  Approval needed: ${approval.nodeId} — ${candidates.length > 1 ? `${candidates.length} candidates; candidate 0 (the draft)` : 'its draft'}:`);
  say(indent(preview(approval.draft, previewLines(io.output)), '   '));
  let editedText: string | undefined;

  const editor = path.basename(editorName(io.env).split(' ')[0]);
  const choose = candidates.length > 1 ? ` · c <i> keep candidate i (0–${candidates.length - 1}) · v <i> view it` : '';
  say(`\n   a approve · e edit (in ${editor}) · r reject (r <feedback> rejects at once)${choose} · v view all · l later`);
  for (;;) {
    // Line input, not single keys: say so, or a producer types "r" and then the feedback into one answer.
    const answer = await ask(io, '   Approve, edit or reject? [a/e/r/v/l, then Enter] › ');
    if (answer === null) return 'later';
    const { choice, rest } = parseAnswer(answer);
    try {
      if (choice === 'a' || choice === 'approve') {
        await decide({ decision: 'approve' });
        say(`   ✔ ${approval.nodeId} approved`);
        return 'decided';
      }
      if (choice === 'e' || choice === 'edit') {
        editedText = openInEditor(io, approval, editedText);
        if (editedText === undefined) continue;
        let output: unknown;
        try {
          output = JSON.parse(editedText);
        } catch (error) {
          say(`   ✖ the edited draft is not valid JSON: ${(error as Error).message} — type e to fix it`);
          continue;
        }
        if (JSON.stringify(output) === JSON.stringify(approval.draft)) {
          say('   No changes made; type a to accept the draft as it is.');
          editedText = undefined;
          continue;
        }
        await decide({ decision: 'edit', output });
        say(`   ✔ ${approval.nodeId} approved with your edit`);
        return 'decided';
      }
      if (choice === 'r' || choice === 'reject') {
        const feedback = rest || (await ask(io, '   What should change? › '));
        if (feedback === null) return 'later';
        if (feedback.trim() === '') {
          say('   Feedback is needed to reject (the node rewrites with it).');
          continue;
        }
        await decide({ decision: 'reject', feedback: feedback.trim() });
        say(`   ↻ ${approval.nodeId} rejected; it will be rewritten with your feedback`);
        return 'decided';
      }
      if ((choice === 'c' || choice === 'choose') && candidates.length > 1) {
        const candidate = Number(rest || (await ask(io, `   Which candidate, 0 to ${candidates.length - 1}? › `)));
        if (!Number.isInteger(candidate)) {
          say(`   Type c and a candidate's number, 0 to ${candidates.length - 1}.`);
          continue;
        }
        await decide({ decision: 'choose', candidate });
        say(`   ✔ ${approval.nodeId}: candidate ${candidate} kept`);
        return 'decided';
      }
      if (choice === 'v' || choice === 'view') {
        const shown = rest !== '' && candidates.length > 1 ? candidates[Number(rest)] : approval.draft;
        say(shown === undefined ? `   There is no candidate ${rest}.` : indent(JSON.stringify(shown, null, 2), '   '));
        continue;
      }
      if (choice === 'l' || choice === 'later' || choice === 'q') return 'later';
      say('   Type one letter — a, e, r, v or l — then press Enter (or r, a space and your feedback).');
    } catch (error) {
      if (isStoryloomError(error, 'conflict')) {
        say(`   ${approval.nodeId} was already decided elsewhere: ${(error as Error).message}`);
        return 'decided';
      }
      if (isStoryloomError(error, 'invalid_input')) {
        say(`   ✖ ${(error as Error).message}`);
        say(choice === 'c' || choice === 'choose' ? '   Nothing was decided; choose an existing candidate.' : '   Your edit was not applied; type e to fix it.');
        continue;
      }
      throw error;
    }
  }
}

/** A node about to take the run past its budget: go on (with no budget, or a new cost limit), cancel, or later. */
async function askBudget(
  io: ApprovalPromptIO,
  approval: PendingApproval,
  decide: (decision: ApprovalDecision) => Promise<unknown>,
  say: (text: string) => void,
): Promise<ApprovalOutcome> {
  say('');
  for (const line of formatBudgetCheck(approval.nodeId, approval.draft as BudgetCheck)) say(`⏸  ${line}`);
  say('\n   a go on (no budget from here) · b <usd> go on with a new cost limit · r cancel the run · l later');
  for (;;) {
    const answer = await ask(io, '   Go on or cancel? [a/b/r/l, then Enter] › ');
    if (answer === null) return 'later';
    const [choice = '', amount] = answer.trim().toLowerCase().split(/\s+/);
    try {
      if (choice === 'a' || choice === 'approve') {
        await decide({ decision: 'approve' });
        say(`   ✔ ${approval.nodeId} goes on; the run has no budget from here`);
        return 'decided';
      }
      if (choice === 'b' || choice === 'budget') {
        const usd = Number((amount ?? '').replace(/^\$/, ''));
        if (!amount || !(usd > 0)) {
          say('   Type b and the new most the run may spend in dollars, e.g. b 2.50');
          continue;
        }
        await decide({ decision: 'approve', budget: { maxCostUsd: usd } });
        say(`   ✔ ${approval.nodeId} goes on, with a cost limit of ${formatUsd(usd)}`);
        return 'decided';
      }
      if (choice === 'r' || choice === 'reject') {
        await decide({ decision: 'reject' });
        say('   ✖ run cancelled at its budget');
        return 'decided';
      }
      if (choice === 'l' || choice === 'later' || choice === 'q') return 'later';
      say('   Type one letter — a, b (with an amount), r or l — then press Enter.');
    } catch (error) {
      if (isStoryloomError(error, 'conflict')) {
        say(`   ${approval.nodeId} was already decided elsewhere: ${(error as Error).message}`);
        return 'decided';
      }
      if (!isStoryloomError(error, 'invalid_input')) throw error;
      say(`   ✖ ${(error as Error).message}`);
    }
  }
}

interface ShownFlag {
  category: string;
  scene: number | null;
  message: string;
  evidence: string;
}

/** A review draft's content-policy flags, to show above the question. */
function policyFlags(draft: unknown): ShownFlag[] {
  const policy = (draft as { policy?: unknown } | null | undefined)?.policy;
  return Array.isArray(policy) ? (policy as ShownFlag[]) : [];
}

/**
 * The choice is the answer's first word, matched case-insensitively; only `r` takes the rest of the line (its
 * feedback). An answer like "rMake her older" is no choice at all: the letter is never glued to feedback.
 */
export function parseAnswer(answer: string): { choice: string; rest: string } {
  const trimmed = answer.trim();
  const space = trimmed.search(/\s/);
  const first = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : trimmed.slice(space).trim();
  // Only r (feedback), c (a candidate) and v (a candidate to view) take the rest of the line.
  if (rest && !['r', 'reject', 'c', 'choose', 'v', 'view'].includes(first)) return { choice: trimmed.toLowerCase(), rest: '' };
  return { choice: first, rest };
}

/** One line from stdin; null when stdin ends or the person presses Ctrl-C / Ctrl-D. */
function ask(io: ApprovalPromptIO, question: string): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: io.stdin, output: io.output, terminal: Boolean(io.stdin.isTTY) });
    let settled = false;
    const finish = (value: string | null) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(value);
    };
    rl.on('close', () => finish(null));
    rl.on('SIGINT', () => {
      io.output.write('\n');
      finish(null);
    });
    rl.question(question, (answer) => finish(answer));
  });
}

/** Opens $EDITOR (default vi) on the draft as JSON; returns the saved text, undefined if the editor failed. */
function openInEditor(io: ApprovalPromptIO, approval: PendingApproval, previousText: string | undefined): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-edit-'));
  const file = path.join(dir, `${approval.nodeId}.json`);
  try {
    fs.writeFileSync(file, previousText ?? `${JSON.stringify(approval.draft, null, 2)}\n`);
    const editor = editorName(io.env);
    // Through the shell so that EDITOR may carry arguments ("code --wait").
    const result = spawnSync(`${editor} ${shellQuote(file)}`, { shell: true, stdio: 'inherit' });
    if (result.error || result.status !== 0) {
      io.output.write(`   ✖ the editor (${editor}) did not finish cleanly${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}\n`);
      return undefined;
    }
    return fs.readFileSync(file, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function editorName(env: NodeJS.ProcessEnv): string {
  return env.VISUAL || env.EDITOR || 'vi';
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
