// A small Fountain (fountain.io) reader for the screenplay preview: title page, scene headings, action,
// character cues, parentheticals, dialogue, transitions, centered text and page breaks. Notes, boneyard,
// sections and synopses are kept out of the page, as a printed script would.

export type FountainElement =
  | { kind: 'scene'; text: string }
  | { kind: 'action'; text: string }
  | { kind: 'character'; text: string }
  | { kind: 'parenthetical'; text: string }
  | { kind: 'dialogue'; text: string }
  | { kind: 'transition'; text: string }
  | { kind: 'centered'; text: string }
  | { kind: 'pagebreak' };

export interface FountainDocument {
  titlePage: Array<{ key: string; value: string }>;
  elements: FountainElement[];
}

const SCENE_HEADING = /^(INT\.?\/EXT|INT|EXT|EST|I\/E)[. ]/i;
const TITLE_KEY = /^([A-Za-z][A-Za-z ]*):\s*(.*)$/;

const isUpper = (line: string) => /[A-Z]/.test(line) && line === line.toUpperCase();

function readTitlePage(lines: string[]): { titlePage: FountainDocument['titlePage']; rest: number } {
  const titlePage: FountainDocument['titlePage'] = [];
  if (!TITLE_KEY.test(lines[0] ?? '')) return { titlePage, rest: 0 };
  let index = 0;
  for (; index < lines.length && lines[index].trim() !== ''; index++) {
    const line = lines[index];
    const match = TITLE_KEY.exec(line);
    if (match && !/^\s/.test(line)) titlePage.push({ key: match[1].trim(), value: match[2].trim() });
    else if (titlePage.length) {
      const last = titlePage[titlePage.length - 1];
      last.value = last.value ? `${last.value}\n${line.trim()}` : line.trim();
    }
  }
  return { titlePage, rest: index };
}

function stripNonPrinting(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\[\[[\s\S]*?\]\]/g, '');
}

export function parseFountain(source: string): FountainDocument {
  const lines = stripNonPrinting(source).replace(/\r\n?/g, '\n').split('\n');
  const { titlePage, rest } = readTitlePage(lines);
  const elements: FountainElement[] = [];
  let inDialogue = false;
  for (let i = rest; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.trim();
    const previousBlank = i === 0 || lines[i - 1].trim() === '';
    const nextLine = lines[i + 1]?.trim() ?? '';
    if (line === '') {
      inDialogue = false;
      continue;
    }
    if (inDialogue) {
      if (/^\(.*\)$/.test(line)) elements.push({ kind: 'parenthetical', text: line });
      else elements.push({ kind: 'dialogue', text: line });
      continue;
    }
    if (/^={3,}$/.test(line)) elements.push({ kind: 'pagebreak' });
    else if (line.startsWith('#') || /^=[^=]/.test(line)) continue; // section or synopsis
    else if (/^>.*<$/.test(line)) elements.push({ kind: 'centered', text: line.slice(1, -1).trim() });
    else if (line.startsWith('>')) elements.push({ kind: 'transition', text: line.slice(1).trim() });
    else if (previousBlank && ((line.startsWith('.') && !line.startsWith('..')) || SCENE_HEADING.test(line)))
      elements.push({ kind: 'scene', text: line.replace(/^\./, '').toUpperCase() });
    else if (previousBlank && isUpper(line) && /TO:$/.test(line) && nextLine === '') elements.push({ kind: 'transition', text: line });
    else if (previousBlank && nextLine !== '' && (line.startsWith('@') || (isUpper(line.replace(/\(.*\)/, '')) && !line.startsWith('!')))) {
      elements.push({ kind: 'character', text: line.replace(/^@/, '') });
      inDialogue = true;
    } else {
      const text = line.replace(/^!/, '');
      const last = elements[elements.length - 1];
      if (!previousBlank && last?.kind === 'action') last.text += `\n${text}`;
      else elements.push({ kind: 'action', text });
    }
  }
  return { titlePage, elements };
}

/** Splits Fountain emphasis (`***bold italic***`, `**bold**`, `*italic*`, `_underline_`) into styled runs. */
export function emphasisRuns(text: string): Array<{ text: string; bold?: boolean; italic?: boolean; underline?: boolean }> {
  const runs: Array<{ text: string; bold?: boolean; italic?: boolean; underline?: boolean }> = [];
  const pattern = /(\*\*\*(.+?)\*\*\*|\*\*(.+?)\*\*|\*(.+?)\*|_(.+?)_)/g;
  let last = 0;
  for (let match; (match = pattern.exec(text)); ) {
    if (match.index > last) runs.push({ text: text.slice(last, match.index) });
    if (match[2]) runs.push({ text: match[2], bold: true, italic: true });
    else if (match[3]) runs.push({ text: match[3], bold: true });
    else if (match[4]) runs.push({ text: match[4], italic: true });
    else runs.push({ text: match[5], underline: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) runs.push({ text: text.slice(last) });
  return runs;
}
