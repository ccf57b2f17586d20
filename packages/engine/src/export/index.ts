// Documents from a run's memory, with no model call: used by the `export` node and the API's export route.
// Text formats render here (browser-safe); the PDF renders in ./export-document (node entry only).
import {
  EXPORT_FORMATS,
  EXPORT_EXTENSIONS,
  EXPORT_MEDIA_TYPES,
  TEXT_EXPORT_FORMATS,
  isTextExportFormat,
  type ExportFormat,
  type TextDocument,
  type TextExportFormat,
} from '../contract/export-formats';
import type { StoryMemory } from '../nodes/types';
import { StoryloomError } from '../errors';
import { screenplayScenesOf, slugOf, storyDocumentOf, today } from './document';
import { renderFountain } from './fountain';
import { renderFdx } from './fdx';
import { renderMarkdown } from './markdown';
import { PAPERS, type Paper } from './page-model';

export { EXPORT_FORMATS, TEXT_EXPORT_FORMATS, EXPORT_MEDIA_TYPES, EXPORT_EXTENSIONS };

export interface RenderOptions {
  /** The title page's draft date (YYYY-MM-DD); today by default. */
  date?: string;
}

/** Options of an export; the page options apply to the PDF. */
export interface ExportOptions extends RenderOptions {
  /** US Letter (the default) or A4. */
  paper?: Paper;
  /** Scene numbers in both margins beside each scene heading. */
  sceneNumbers?: boolean;
  /** Contact lines for the title page (separated by newlines or ';'). */
  contact?: string;
}

export { PAPERS, type Paper };

export { isExportFormat } from '../contract/export-formats';

export function exportFilename(title: string, format: ExportFormat): string {
  return `${slugOf(title)}.${EXPORT_EXTENSIONS[format]}`;
}

/**
 * Fountain and FDX need written scenes: dialogue, or else a prose draft, which is rendered as an
 * action-only screenplay (one scene per passage, no cues). Markdown and JSON render whatever is there.
 */
export function renderDocument(format: TextExportFormat, memory: StoryMemory, options: RenderOptions = {}): TextDocument {
  if (!isTextExportFormat(format)) {
    const hint = (format as string) === 'pdf' ? "pdf is rendered by exporting the run ('@storyloom/engine/node' exportDocument)" : `use ${EXPORT_FORMATS.join(', ')}`;
    throw new StoryloomError('invalid_input', `unknown export format '${String(format)}': ${hint}`);
  }
  const document = storyDocumentOf(memory);
  const date = options.date ?? today();
  const screenplay = screenplayScenesOf(document);
  let content: string;
  if (format === 'json') {
    content = `${JSON.stringify({ format: 'storyloom/story@1', title: document.title, exportedAt: date, memory }, null, 2)}\n`;
  } else if (format === 'markdown') {
    content = renderMarkdown(document, screenplay);
  } else {
    if (!screenplay) {
      throw new StoryloomError('invalid_input', `nothing to export as ${format}: the run has no 'dialogue' or 'draft' yet`);
    }
    content = format === 'fountain' ? renderFountain(document, screenplay, date) : renderFdx(document, screenplay, date);
  }
  return { format, mediaType: EXPORT_MEDIA_TYPES[format], filename: exportFilename(document.title, format), content };
}

export { escapeXml } from './fdx';
