// `storyloom export`: a run's document in any export format, to stdout or a file; the PDF takes page options.
// `--format review` writes the run's review report instead (decisions and comment threads, Markdown).
import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, isExportFormat, PAPERS, type Paper } from '@storyloom/engine';
import { DB_FLAG } from '../context';
import { requireRun } from '../driver';
import { EXIT, invalid } from '../errors';
import { boolFlag, positional, stringFlag, type Command } from './command';

/** Not a story format: the run's review (who decided what, and the comment threads). */
const REVIEW_FORMAT = 'review';

export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: "Write a run's story as a document (assembled from its memory, no model call).",
    positionals: [{ name: 'runId', description: 'the run', required: true }],
    flags: [
      {
        name: 'format',
        kind: 'string',
        valueName: [...EXPORT_FORMATS, REVIEW_FORMAT].join('|'),
        description: "document format; review: the run's review report (decisions and comments, Markdown)",
        required: true,
      },
      { name: 'out', kind: 'string', valueName: 'file', description: 'write to this file instead of stdout' },
      { name: 'paper', kind: 'string', valueName: PAPERS.join('|'), description: 'pdf: paper size (letter by default)' },
      { name: 'scene-numbers', kind: 'boolean', description: 'pdf: number the scene headings in both margins' },
      { name: 'contact', kind: 'string', valueName: 'text', description: "pdf: contact lines for the title page, separated by ';'" },
      DB_FLAG,
    ],
  },
  async run(ctx, args) {
    const runId = positional(args, 'runId');
    const format = stringFlag(args, 'format') ?? '';
    if (!isExportFormat(format) && format !== REVIEW_FORMAT) throw invalid(`unknown format '${format}': use one of ${[...EXPORT_FORMATS, REVIEW_FORMAT].join(', ')}`);
    const paper = stringFlag(args, 'paper');
    if (paper !== undefined && !(PAPERS as readonly string[]).includes(paper)) throw invalid(`unknown paper '${paper}': use ${PAPERS.join(' or ')}`);
    const out = stringFlag(args, 'out');
    if (out === undefined && format === 'pdf' && ctx.io.stdout.isTTY) {
      throw invalid('a PDF is binary: write it to a file with --out script.pdf (or redirect stdout)');
    }
    await requireRun(ctx, runId);
    const storyloom = await ctx.storyloom();
    const document =
      format === REVIEW_FORMAT
        ? await storyloom.comments.reviewReport(runId)
        : await storyloom.exportRun(runId, format as ExportFormat, {
            paper: paper as Paper | undefined,
            sceneNumbers: boolFlag(args, 'scene-numbers'),
            contact: stringFlag(args, 'contact'),
          });
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
