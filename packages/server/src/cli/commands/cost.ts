// `storyloom cost <pipelineId>`: what a pipeline's runs spent per day (UTC) and in all, tokens and estimated USD.
import { DB_FLAG } from '../context';
import { EXIT, invalid } from '../errors';
import { formatCost, formatTokens, table } from '../format';
import { boolFlag, positional, stringFlag, type Command } from './command';

export const costCommand: Command = {
  spec: {
    name: 'cost',
    summary: "What a pipeline's runs spent per day: tokens and estimated USD (the price table, STORYLOOM_PRICES over the defaults).",
    positionals: [{ name: 'pipelineId', description: 'the pipeline (runs keep its id after it is deleted)', required: true }],
    flags: [
      { name: 'days', kind: 'string', valueName: 'N', description: 'days back from today, today included (1–366, default 30)' },
      { name: 'json', kind: 'boolean', description: 'print the report as JSON (as GET /api/pipelines/:id/cost)' },
      DB_FLAG,
    ],
  },
  async run(ctx, args) {
    const daysText = stringFlag(args, 'days')?.trim() ?? '30';
    if (!/^\d+$/.test(daysText)) throw invalid(`--days must be a whole number of days from 1 to 366, got '${daysText}'`);
    const report = await (await ctx.storyloom()).pipelineCost(positional(args, 'pipelineId'), Number(daysText));
    if (boolFlag(args, 'json')) {
      ctx.out(JSON.stringify(report, null, 2));
      return EXIT.completed;
    }
    const row = (day: string, usage: (typeof report)['total']) => [day, String(usage.runs), String(usage.calls), formatTokens(usage.totalTokens), formatCost(usage) || '-'];
    ctx.out(
      table([
        ['DAY', 'RUNS', 'CALLS', 'TOKENS', 'COST'],
        ...report.daily.map((day) => row(day.day, day)),
        row(`${report.days} days from ${report.since}`, report.total),
      ]),
    );
    return EXIT.completed;
  },
};
