// `--budget-usd` and `--budget-tokens`: a run's budget when it starts, or new limits when a person lets a run go
// on past its budget. Numbers are checked here (exit 2 naming the flag); the engine checks the budget itself.
import type { Budget } from '@storyloom/engine';
import type { FlagSpec, ParsedArgs } from './args';
import { invalid } from './errors';
import { stringFlag } from './commands/command';

export const BUDGET_FLAGS: FlagSpec[] = [
  { name: 'budget-usd', kind: 'string', valueName: 'N', description: 'most the run may spend, in estimated USD at the price table (STORYLOOM_PRICES)' },
  { name: 'budget-tokens', kind: 'string', valueName: 'N', description: 'most tokens (input and output) the run may spend' },
];

/** The budget the flags give, or undefined when neither is given. */
export function budgetFromFlags(args: ParsedArgs): Budget | undefined {
  const usd = numberFlag(args, 'budget-usd', /^\d+(\.\d+)?$/, 'an amount of dollars such as 0.50');
  const tokens = numberFlag(args, 'budget-tokens', /^\d+$/, 'a whole number of tokens such as 20000');
  if (usd === undefined && tokens === undefined) return undefined;
  return { ...(tokens !== undefined ? { maxTokens: tokens } : {}), ...(usd !== undefined ? { maxCostUsd: usd } : {}) };
}

function numberFlag(args: ParsedArgs, name: string, pattern: RegExp, expected: string): number | undefined {
  const text = stringFlag(args, name)?.trim();
  if (text === undefined) return undefined;
  if (!pattern.test(text) || Number(text) <= 0) throw invalid(`--${name} must be ${expected} (more than 0), got '${text}'`);
  return Number(text);
}
