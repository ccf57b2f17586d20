import fs from 'node:fs';
import path from 'node:path';
import type { ExportFormat } from '@storyloom/engine/node';
import { DB_FLAG } from '../context';
import { requireRun } from '../driver';
import { EXIT, invalid } from '../errors';
import { positional, stringFlag, type Command } from './command';

const FORMATS: readonly ExportFormat[] = ['fountain', 'fdx', 'markdown', 'json'];

export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: "Write a run's story as a document (assembled from its memory, no model call).",
    positionals: [{ name: 'runId', description: 'the run', required: true }],
    flags: [
      { name: 'format', kind: 'string', valueName: FORMATS.join('|'), description: 'document format', required: true },
      { name: 'out', kind: 'string', valueName: 'file', description: 'write to this file instead of stdout' },
      DB_FLAG,
    ],
  },
  async run(ctx, args) {
    const runId = positional(args, 'runId');
    const format = stringFlag(args, 'format') ?? '';
    if (!(FORMATS as readonly string[]).includes(format)) throw invalid(`unknown format '${format}': use one of ${FORMATS.join(', ')}`);
    await requireRun(ctx, runId);
    const document = await (await ctx.storyloom()).exportRun(runId, format as ExportFormat);
    const out = stringFlag(args, 'out');
    if (out === undefined) {
      ctx.io.stdout.write(document.content);
      return EXIT.completed;
    }
    const file = path.resolve(ctx.io.cwd, out);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, document.content);
    ctx.err(`Wrote ${out} (${document.mediaType})`);
    return EXIT.completed;
  },
};
