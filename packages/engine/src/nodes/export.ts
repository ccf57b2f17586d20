// The `export` node: assembles the finished document from story memory without a model, as Fountain, Final Draft
// (FDX), Markdown or JSON, into the `script` slot, which a run saves as a file. It reads the written scenes (dialogue,
// else the prose draft) and, when present, the logline, cast and scene cards. A PDF is not made here: it is rendered
// when the run is exported.
import { z } from 'zod';
import type { NodeType } from './types';
import type { TextDocument } from '../runner/engine';
import { ExportedDocumentSchema } from '../story/types';
import { TextExportFormatSchema } from '../contract/schemas';
import { renderDocument } from '../export';

const ConfigSchema = z.strictObject({
  format: TextExportFormatSchema.default('fountain'),
});
type Config = z.infer<typeof ConfigSchema>;

export const exportNode: NodeType<Config, TextDocument> = {
  type: 'export',
  title: 'Export',
  description: 'Assembles the document without a model: Fountain, Final Draft (FDX), Markdown or JSON. Prose exports to Fountain/FDX as action-only scenes. A PDF is rendered when the run is exported.',
  category: 'output',
  configSchema: ConfigSchema,
  outputSchema: ExportedDocumentSchema,
  reads: () => [
    { slot: 'dialogue', alternatives: ['draft'], description: 'The written scenes.' },
    { slot: 'logline', optional: true, description: 'Title and logline for the title page.' },
    { slot: 'characters', optional: true },
    { slot: 'scenes', optional: true, description: 'Scene headings for prose passages.' },
  ],
  writes: 'script',
  usesModel: false,
  capabilities: { exportsDocument: true },
  run: async (ctx) => renderDocument(ctx.config.format, ctx.memory),
};
