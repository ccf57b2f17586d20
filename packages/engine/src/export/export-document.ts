// Any export format from a run's memory, the PDF included (node entry only). pdf-lib is loaded on the first
// PDF, not when the engine is imported: the CLI's start-up and the editor's bundle never pay for it.
import type { StoryMemory } from '../nodes/types';
import type { ExportedDocument, ExportFormat } from '../runner/engine';
import { StoryloomError } from '../errors';
import { screenplayScenesOf, storyDocumentOf, today } from './document';
import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES, type ExportOptions, exportFilename, isExportFormat, PAPERS, renderDocument } from './index';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pdfRenderer = () => require('./pdf') as typeof import('./pdf');

/** 'invalid_input' naming the option, for options a caller passed through from a user. */
export function checkExportOptions(options: ExportOptions): void {
  if (options.paper !== undefined && !PAPERS.includes(options.paper)) {
    throw new StoryloomError('invalid_input', `unknown paper '${String(options.paper)}': use ${PAPERS.join(' or ')}`);
  }
  if (options.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.date)) {
    throw new StoryloomError('invalid_input', `draft date '${options.date}' is not YYYY-MM-DD`);
  }
}

export async function exportDocument(format: ExportFormat, memory: StoryMemory, options: ExportOptions = {}): Promise<ExportedDocument> {
  if (!isExportFormat(format)) {
    throw new StoryloomError('invalid_input', `unknown export format '${String(format)}': use ${EXPORT_FORMATS.join(', ')}`);
  }
  checkExportOptions(options);
  if (format !== 'pdf') return renderDocument(format, memory, options);
  const document = storyDocumentOf(memory);
  const content = await pdfRenderer().renderPdf(document, screenplayScenesOf(document), {
    paper: options.paper ?? 'letter',
    sceneNumbers: options.sceneNumbers === true,
    date: options.date ?? today(),
    ...(options.contact ? { contact: options.contact } : {}),
  });
  return { format, mediaType: EXPORT_MEDIA_TYPES.pdf, filename: exportFilename(document.title, format), content };
}
