// Reads a PDF back with an independent reader (pdfjs-dist, in a child process) as pages of text items in
// inches, top-down, so tests can check where a screenplay tool would have put each line.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PdfItem {
  text: string;
  /** Left edge, inches from the left of the page. */
  x: number;
  /** Right edge, inches from the left. */
  right: number;
  /** Baseline, inches from the top of the page. */
  top: number;
}

export interface PdfPage {
  /** Inches. */
  width: number;
  height: number;
  items: PdfItem[];
}

export interface PdfText {
  pages: PdfPage[];
  title?: string;
  subject?: string;
}

interface RawPage {
  width: number;
  height: number;
  items: Array<{ str: string; x: number; y: number; width: number }>;
}

export async function readPdf(content: Uint8Array | string): Promise<PdfText> {
  let file = typeof content === 'string' ? content : '';
  let dir: string | undefined;
  if (typeof content !== 'string') {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-pdf-'));
    file = path.join(dir, 'read.pdf');
    fs.writeFileSync(file, content);
  }
  try {
    const { stdout } = await run(process.execPath, [path.join(__dirname, 'pdf-text.mjs'), file], { maxBuffer: 64 * 1024 * 1024 });
    const raw = JSON.parse(stdout) as { pages: RawPage[]; title?: string; subject?: string };
    return {
      title: raw.title,
      subject: raw.subject,
      pages: raw.pages.map((page) => ({
        width: page.width / 72,
        height: page.height / 72,
        items: joinWords(page.items.map((item) => ({ text: item.str, x: item.x / 72, right: (item.x + item.width) / 72, top: (page.height - item.y) / 72 }))),
      })),
    };
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * pdfjs sometimes cuts one drawn line into items at a space (Courier's spaces are wide); consecutive items on
 * one baseline at most a space apart are one line again.
 */
function joinWords(items: PdfItem[]): PdfItem[] {
  const joined: PdfItem[] = [];
  for (const item of items) {
    const last = joined[joined.length - 1];
    const gap = last ? item.x - last.right : Infinity;
    if (last && Math.abs(item.top - last.top) < 0.001 && gap > -0.01 && gap < 0.15) {
      joined[joined.length - 1] = { ...last, text: `${last.text}${gap > 0.05 ? ' ' : ''}${item.text}`, right: item.right };
    } else joined.push(item);
  }
  return joined;
}

/** Items grouped into blocks separated by a blank line (more than one line's height between baselines). */
export function blocksOf(page: PdfPage, lineHeight = 1 / 6): PdfItem[][] {
  const blocks: PdfItem[][] = [];
  let previousTop: number | undefined;
  for (const item of [...page.items].sort((a, b) => a.top - b.top || a.x - b.x)) {
    // Items on the same line (a scene number beside its heading) stay in one block.
    if (previousTop === undefined || item.top - previousTop > lineHeight * 1.5) blocks.push([]);
    blocks[blocks.length - 1].push(item);
    previousTop = item.top;
  }
  return blocks;
}

/** Pages in a PDF file written by another tool. */
export async function pageCount(file: string): Promise<number> {
  return (await readPdf(file)).pages.length;
}
