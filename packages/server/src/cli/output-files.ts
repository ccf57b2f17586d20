// `run --out dir`: every export node's document, the run's PDF when it has written scenes, and `run.json`
// (the run as `show --json` prints it).
import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_EXTENSIONS, nodeCapabilities, type ExportedDocument, type ExportFormat, type Pipeline, type RunView } from '@storyloom/engine';


interface DocumentLike {
  content?: unknown;
  text?: unknown;
  filename?: unknown;
  format?: unknown;
}

/**
 * Writes the files and returns their paths relative to the working directory. `rendered` are documents
 * rendered on export (the PDF), written after the export nodes' own.
 */
export function writeRunOutputs(
  view: RunView,
  pipeline: Pipeline | undefined,
  dir: string,
  cwd: string,
  rendered: readonly ExportedDocument[] = [],
): string[] {
  const target = path.resolve(cwd, dir);
  fs.mkdirSync(target, { recursive: true });
  const written: string[] = [];
  const write = (name: string, content: string | Uint8Array) => {
    const file = path.join(target, name);
    fs.writeFileSync(file, content);
    written.push(path.relative(cwd, file) || file);
  };
  const used = new Set<string>(['run.json']);
  // Without the pipeline (approve, resume, rerun), export nodes are recognised by their output's shape.
  const exportNodes = pipeline
    ? pipeline.nodes.filter((node) => nodeCapabilities(node.type)?.exportsDocument).map((node) => ({ id: node.id, format: node.config?.format }))
    : Object.entries(view.nodes).filter(([, state]) => isDocument(state.output)).map(([id]) => ({ id, format: undefined }));
  for (const node of exportNodes) {
    const document = documentOf(view.nodes[node.id]?.output, node.format);
    if (!document) continue;
    let name = safeName(document.filename) ?? `${node.id}.${EXPORT_EXTENSIONS[document.format as ExportFormat] ?? 'txt'}`;
    // Two export nodes may suggest the same file name: keep both.
    if (used.has(name)) name = `${node.id}-${name}`;
    used.add(name);
    write(name, document.content);
  }
  for (const document of rendered) {
    let name = safeName(document.filename) ?? `script.${document.format}`;
    if (used.has(name)) name = `run-${name}`;
    used.add(name);
    write(name, document.content);
  }
  write('run.json', `${JSON.stringify(view, null, 2)}\n`);
  return written;
}

/** An export node's output is the document (or its text); read both shapes. */
function documentOf(output: unknown, configFormat: unknown): { content: string; filename?: unknown; format: string } | undefined {
  const fallbackFormat = typeof configFormat === 'string' ? configFormat : 'txt';
  if (typeof output === 'string') return { content: output, format: fallbackFormat };
  if (!output || typeof output !== 'object') return undefined;
  const doc = output as DocumentLike;
  const content = typeof doc.content === 'string' ? doc.content : typeof doc.text === 'string' ? doc.text : undefined;
  if (content === undefined) return undefined;
  return { content, filename: doc.filename, format: typeof doc.format === 'string' ? doc.format : fallbackFormat };
}

function isDocument(output: unknown): boolean {
  const doc = output as DocumentLike | undefined;
  return Boolean(doc && typeof doc === 'object' && typeof doc.content === 'string' && typeof doc.format === 'string' && typeof doc.filename === 'string');
}

function safeName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const base = path.basename(name);
  return base && base !== '.' && base !== '..' ? base : undefined;
}
