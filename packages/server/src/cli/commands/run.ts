// `storyloom run <file|pipelineId>`: runs a pipeline file (validated, not saved), a saved pipeline or a shipped
// example in the foreground, with inputs from flags or a JSON file, and a model for every node and a budget if asked.
// Which model each node will use is shown, and an unknown one refused, before the run starts. Exit codes: 0 completed,
// 1 failed, 2 invalid, 3 waiting for an approval, 130 stopped with Ctrl-C.
import type { ModelEnv, ModelSpec, Pipeline } from '@storyloom/engine/node';
import { DB_FLAG, engineNode } from '../context';
import { BUDGET_FLAGS, budgetFromFlags } from '../budget-flags';
import { driveInForeground } from '../driver';
import { checkedInputs, collectInputs, loadPipelineArg } from '../pipeline-source';
import { JSON_FLAG, RUN_EXIT_NOTES, boolFlag, listFlag, positional, stringFlag, type Command } from './command';

export const runCommand: Command = {
  spec: {
    name: 'run',
    summary: 'Run a pipeline file, or a saved pipeline by id, in the foreground.',
    positionals: [{ name: 'file|pipelineId', description: 'pipeline file, or the id of a pipeline saved in the database', required: true }],
    flags: [
      { name: 'input', kind: 'list', valueName: 'name=value', description: 'a run input (repeatable); strings are converted to the declared type' },
      { name: 'inputs', kind: 'string', valueName: 'file.json', description: 'run inputs as a JSON object (--input wins)' },
      { name: 'model', kind: 'string', valueName: 'spec', description: 'model for every node: offline, openai:<model>, ollama:<model>, local:<file.gguf>, transformers:<folder>' },
      { name: 'auto-approve', kind: 'boolean', description: 'approve every checkpoint without asking' },
      { name: 'out', kind: 'string', valueName: 'dir', description: "write every export node's document and run.json into dir" },
      ...BUDGET_FLAGS,
      JSON_FLAG,
      DB_FLAG,
    ],
    notes: [
      "With a budget (these flags over the pipeline's own `budget`) the run stops before a node that would pass it",
      'and asks whether to go on (exit 3 without a terminal); approve goes on, reject cancels the run.',
      "A pipeline file is validated and run as it is (not saved; the run records the file's pipeline id and keeps",
      'its own copy, so show/resume/rerun/export need only the run id). Save pipelines with the editor or the API.',
      ...RUN_EXIT_NOTES,
    ],
  },
  async run(ctx, args) {
    const source = await loadPipelineArg(ctx, positional(args, 'file|pipelineId'));
    const inputs = checkedInputs(source, collectInputs(ctx.io.cwd, stringFlag(args, 'inputs'), listFlag(args, 'input')));
    const model = stringFlag(args, 'model');
    const budget = budgetFromFlags(args);
    // Described (and so an unknown model refused) before the database is opened; starting checks it all.
    const notes = modelNotes(source.pipeline, model, ctx.env);
    const view = await (await ctx.storyloom()).startRun(
      {
        pipeline: source.pipeline,
        pipelineId: source.saved?.id ?? source.pipeline.id,
        version: source.saved?.version ?? null,
        inputs,
        model,
        autoApprove: boolFlag(args, 'auto-approve'),
        ...(budget ? { budget } : {}),
        startedBy: await ctx.actor('author'),
      },
      // A local CLI user may name any base URL unless STORYLOOM_MODEL_BASE_URLS restricts them.
      { modelLabel: '--model' },
    );
    return driveInForeground(ctx, {
      runId: view.id,
      pipeline: source.pipeline,
      json: boolFlag(args, 'json'),
      outDir: stringFlag(args, 'out'),
      notes: [`Run ${view.id}: ${source.pipeline.name} (${source.label})`, ...notes],
    });
  },
};

/**
 * Which models the run's nodes will use (run → node → pipeline → STORYLOOM_MODEL → offline). An unknown or
 * unconfigured provider is refused here too (exit 2); starting the run checks them all again, with the base
 * URL policy. The offline model says so.
 */
export function modelNotes(pipeline: Pipeline, runModel: ModelSpec | undefined, env: ModelEnv): string[] {
  const { checkRunModels, describeRunModels } = engineNode();
  const models = checkRunModels(pipeline, runModel, env, { runModelLabel: '--model' });
  const notes = describeRunModels(models, pipeline.nodes.length);
  if (models.specs.some((spec) => spec.provider === 'offline')) {
    notes.push('  (the offline model writes placeholder text; use --model openai:<model>, ollama:<model> or local:<file.gguf>, or set STORYLOOM_MODEL, for an LLM)');
  }
  return notes;
}
