// `storyloom validate <file>`: checks a pipeline file, without opening the database, and lists every problem (exit 2
// when unreadable, not JSON or invalid, else 0). For a valid file it also says which model a run of it here would use,
// and for which nodes, from the pipeline and STORYLOOM_MODEL.
import { explainPipelineModels, getNodeType, invalidPipelineMessage, validatePipeline } from '@storyloom/engine';
import { EXIT } from '../errors';
import { readJsonFile } from '../json-file';
import { boolFlag, positional, type Command } from './command';

export const validateCommand: Command = {
  spec: {
    name: 'validate',
    summary: 'Check a pipeline file and list every problem in it.',
    positionals: [{ name: 'file', description: 'pipeline file (storyloom/pipeline@1 JSON)', required: true }],
    flags: [{ name: 'json', kind: 'boolean', description: 'print { valid, errors } as JSON on stdout' }],
    notes: ['Exit codes: 0 valid, 2 unreadable, not JSON or invalid (problems on stderr).'],
  },
  async run(ctx, args) {
    const file = positional(args, 'file');
    const result = validatePipeline(readJsonFile(file, ctx.io.cwd, 'pipeline file'));
    if (boolFlag(args, 'json')) ctx.out(JSON.stringify({ valid: result.valid, errors: result.errors }, null, 2));
    if (!result.valid || !result.pipeline) {
      ctx.err(invalidPipelineMessage(result.errors, { label: file, list: 'table' }));
      return EXIT.invalid;
    }
    const { pipeline } = result;
    if (!boolFlag(args, 'json')) {
      ctx.out(`${file}: valid pipeline '${pipeline.id}' (${pipeline.name}): ${pipeline.nodes.length} nodes, ${pipeline.edges.length} edges`);
      // Which model a run of it here would use, and why (a run's --model still wins).
      const models = explainPipelineModels(pipeline, { environment: ctx.env.STORYLOOM_MODEL, usesModel: (type) => getNodeType(type)?.usesModel === true });
      for (const { choice, nodes } of models) {
        ctx.out(`Model: ${choice.text}${models.length > 1 ? `; nodes ${nodes.map((id) => `'${id}'`).join(', ')}` : ''}`);
      }
    }
    return EXIT.completed;
  },
};
