// Every format a run can be exported as, in one table: what the engine renders, what the API serves (media
// type), what files are called (extension) and what the editor's tabs say (title). Lists of formats anywhere
// else are derived from this table, so adding a format is one row here.

export interface ExportFormatInfo {
  /** What a person calls it: the editor's tab, the CLI's help. */
  title: string;
  /** The Content-Type the API serves it with. */
  mediaType: string;
  /** The file name extension, without the dot. */
  extension: string;
  /** Text formats an `export` node can hold in a run; the others are rendered only on export. */
  text: boolean;
}

export const EXPORT_FORMAT_TABLE = {
  fountain: { title: 'Screenplay', mediaType: 'text/plain; charset=utf-8', extension: 'fountain', text: true },
  fdx: { title: 'Final Draft (FDX)', mediaType: 'application/xml; charset=utf-8', extension: 'fdx', text: true },
  markdown: { title: 'Markdown', mediaType: 'text/markdown; charset=utf-8', extension: 'md', text: true },
  json: { title: 'JSON', mediaType: 'application/json; charset=utf-8', extension: 'json', text: true },
  pdf: { title: 'PDF', mediaType: 'application/pdf', extension: 'pdf', text: false },
} as const satisfies Record<string, ExportFormatInfo>;

type Table = typeof EXPORT_FORMAT_TABLE;

/** Every format a run can be exported as; `pdf` is rendered on export, never stored in a run. */
export type ExportFormat = keyof Table;
/** The formats an `export` node can hold in a run (text). */
export type TextExportFormat = { [F in ExportFormat]: Table[F]['text'] extends true ? F : never }[ExportFormat];

export const EXPORT_FORMATS = Object.keys(EXPORT_FORMAT_TABLE) as [ExportFormat, ...ExportFormat[]];
export const TEXT_EXPORT_FORMATS = EXPORT_FORMATS.filter((format) => EXPORT_FORMAT_TABLE[format].text) as [TextExportFormat, ...TextExportFormat[]];

function column<K extends keyof ExportFormatInfo>(key: K): Record<ExportFormat, ExportFormatInfo[K]> {
  return Object.fromEntries(EXPORT_FORMATS.map((format) => [format, EXPORT_FORMAT_TABLE[format][key]])) as Record<ExportFormat, ExportFormatInfo[K]>;
}

export const EXPORT_MEDIA_TYPES = column('mediaType');
export const EXPORT_EXTENSIONS = column('extension');
export const EXPORT_TITLES = column('title');

export function isExportFormat(format: unknown): format is ExportFormat {
  return typeof format === 'string' && Object.hasOwn(EXPORT_FORMAT_TABLE, format);
}

export function isTextExportFormat(format: unknown): format is TextExportFormat {
  return isExportFormat(format) && EXPORT_FORMAT_TABLE[format].text;
}

export interface ExportedDocument {
  format: ExportFormat;
  mediaType: string;
  filename: string;
  /** Text, or the bytes of a binary format (pdf). */
  content: string | Uint8Array;
}

/** An export node's document: always text. */
export interface TextDocument extends ExportedDocument {
  format: TextExportFormat;
  content: string;
}
