// Documents from a run's memory, with no model call: used by the `export` node and the API's export route.
import type { ExportedDocument, ExportFormat } from '../runner/engine';
import type { StoryMemory } from '../nodes/types';
import { StoryloomError } from '../errors';
import { screenplayScenesOf, slugOf, storyDocumentOf, today } from './document';
import { renderFountain } from './fountain';
import { renderFdx } from './fdx';
import { renderMarkdown } from './markdown';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['fountain', 'fdx', 'markdown', 'json'];

const MEDIA_TYPES: Record<ExportFormat, string> = {
  fountain: 'text/plain; charset=utf-8',
  fdx: 'application/xml; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

const EXTENSIONS: Record<ExportFormat, string> = { fountain: 'fountain', fdx: 'fdx', markdown: 'md', json: 'json' };

export interface RenderOptions {
  /** The title page's draft date (YYYY-MM-DD); today by default. */
  date?: string;
}

/**
 * Fountain and FDX need written scenes: dialogue, or else a prose draft, which is rendered as an
 * action-only screenplay (one scene per passage, no cues). Markdown and JSON render whatever is there.
 */
export function renderDocument(format: ExportFormat, memory: StoryMemory, options: RenderOptions = {}): ExportedDocument {
  if (!EXPORT_FORMATS.includes(format)) {
    throw new StoryloomError('invalid_input', `unknown export format '${String(format)}': use ${EXPORT_FORMATS.join(', ')}`);
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
  return { format, mediaType: MEDIA_TYPES[format], filename: `${slugOf(document.title)}.${EXTENSIONS[format]}`, content };
}

export { escapeXml } from './fdx';
