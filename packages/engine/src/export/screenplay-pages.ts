// Screenplay pagination in the industry layout: Courier 12 pt, 1.5" left and 1" right margins, cues at 3.7",
// dialogue from 2.5" to 6", parentheticals from 3.1", transitions on the right margin, 55 lines a page on
// Letter. Speeches that cross a page break at a sentence and carry (MORE) / (CONT'D); a scene heading always
// keeps the start of what follows on its page.
import type { ScreenplayElement } from '../story/types';
import type { ScreenplayScene } from './document';
import { CHAR_WIDTH, LINE_HEIGHT, type LaidOutPage, PAPER_SIZES, type Paper, type PlacedText, pageNumberText } from './page-model';
import { sentencesOf, wrapText } from './wrap';

/**
 * Where each element starts (inches from the left edge) and how many characters its lines hold. Action and
 * cues run to the 1" right margin, so their width depends on the paper (60 characters on Letter, 57 on A4).
 */
export const SCREENPLAY_GEOMETRY = {
  top: 1,
  rightMargin: 1,
  action: { x: 1.5 },
  cue: { x: 3.7 },
  parenthetical: { x: 3.1, width: 25 },
  dialogue: { x: 2.5, width: 35 },
  /** Scene numbers: the left one ends 0.2" before the heading, the right one starts 0.1" after the margin. */
  sceneNumberGap: 0.2,
} as const;

export const LINES_PER_PAGE: Record<Paper, number> = { letter: 55, a4: 57 };

export const MORE = '(MORE)';
export const CONTINUED = "(CONT'D)";

export interface ScreenplayLayoutOptions {
  paper: Paper;
  sceneNumbers: boolean;
  /** Makes text printable in the page font; the layout measures what it returns. */
  printable?: (text: string) => string;
}

interface Line {
  text: string;
  x: number;
  align?: 'left' | 'right';
}

type Block =
  | { kind: 'heading'; lines: Line[]; number?: number }
  | { kind: 'action' | 'transition'; lines: Line[] }
  | { kind: 'speech'; cue: string; parenthetical: string[]; text: string };

/** Lines a block must place on the page that holds the heading before it (its smallest first part). */
function leadingLines(block: Block): number {
  if (block.kind === 'speech') {
    const spoken = speechLines(block.text).length;
    return 1 + block.parenthetical.length + (spoken < 4 ? spoken : 3);
  }
  if (block.kind === 'action') return block.lines.length < 4 ? block.lines.length : 2;
  return block.lines.length;
}

function speechLines(text: string): string[] {
  const lines = wrapText(text, SCREENPLAY_GEOMETRY.dialogue.width);
  return lines.length > 0 ? lines : ['...'];
}

function lines(text: string, x: number, width: number): Line[] {
  return wrapText(text, width).map((line) => ({ text: line, x }));
}

/** Characters that fit from `x` to the right margin. */
function columnsFrom(x: number, paperWidth: number): number {
  return Math.floor((paperWidth - SCREENPLAY_GEOMETRY.rightMargin - x) / CHAR_WIDTH + 1e-9);
}

function blocksOf(scenes: ScreenplayScene[], printable: (text: string) => string, paperWidth: number): Block[] {
  const { action, cue, parenthetical } = SCREENPLAY_GEOMETRY;
  const actionWidth = columnsFrom(action.x, paperWidth);
  const blocks: Block[] = [];
  scenes.forEach((scene, index) => {
    blocks.push({ kind: 'heading', lines: lines(printable(scene.heading.toUpperCase()), action.x, actionWidth), number: index + 1 });
    for (const element of scene.elements) blocks.push(elementBlock(element));
  });
  return blocks.filter((block) => block.kind === 'speech' || block.lines.length > 0);

  function elementBlock(element: ScreenplayElement): Block {
    switch (element.type) {
      case 'action':
        return { kind: 'action', lines: lines(printable(element.text), action.x, actionWidth) };
      case 'transition':
        return { kind: 'transition', lines: [{ text: printable(element.text.toUpperCase().trim()), x: paperWidth - SCREENPLAY_GEOMETRY.rightMargin, align: 'right' }] };
      case 'line': {
        const aside = element.parenthetical?.trim().replace(/^\(|\)$/g, '').trim();
        return {
          kind: 'speech',
          cue: printable(element.character.toUpperCase().trim()).slice(0, columnsFrom(cue.x, paperWidth)),
          parenthetical: aside ? wrapText(printable(`(${aside})`), parenthetical.width) : [],
          text: printable(element.text.trim()),
        };
      }
    }
  }
}

class Paginator {
  readonly pages: LaidOutPage[] = [];
  private texts: PlacedText[] = [];
  private row = 0;

  constructor(private readonly options: ScreenplayLayoutOptions) {}

  get linesPerPage(): number {
    return LINES_PER_PAGE[this.options.paper];
  }

  /** Lines left on this page for a block, after the blank line that separates it from the one above. */
  get available(): number {
    return this.linesPerPage - this.row - (this.row > 0 ? 1 : 0);
  }

  place(lines: Line[]): void {
    if (this.row > 0) this.row++;
    for (const line of lines) {
      this.texts.push({ text: line.text, x: line.x, top: SCREENPLAY_GEOMETRY.top + this.row * LINE_HEIGHT, ...(line.align ? { align: line.align } : {}) });
      this.row++;
    }
  }

  /** A scene number beside the heading line just placed. */
  numberLine(number: number, headingLines: number): void {
    const top = SCREENPLAY_GEOMETRY.top + (this.row - headingLines) * LINE_HEIGHT;
    const { action, sceneNumberGap } = SCREENPLAY_GEOMETRY;
    const right = PAPER_SIZES[this.options.paper].width - SCREENPLAY_GEOMETRY.rightMargin;
    this.texts.push({ text: `${number}`, x: action.x - sceneNumberGap, top, align: 'right' });
    this.texts.push({ text: `${number}`, x: right + sceneNumberGap / 2, top });
  }

  newPage(): void {
    if (this.texts.length === 0) return;
    const number = this.pages.length + 1;
    if (number > 1) this.texts.push(pageNumberText(number, this.options.paper));
    this.pages.push({ texts: this.texts });
    this.texts = [];
    this.row = 0;
  }

  get atTop(): boolean {
    return this.row === 0;
  }
}

export function layoutScreenplay(scenes: ScreenplayScene[], options: ScreenplayLayoutOptions): LaidOutPage[] {
  const printable = options.printable ?? ((text: string) => text);
  const blocks = blocksOf(scenes, printable, PAPER_SIZES[options.paper].width);
  const pages = new Paginator(options);
  blocks.forEach((block, index) => {
    switch (block.kind) {
      case 'heading': {
        const next = blocks[index + 1];
        const keep = block.lines.length + (next && next.kind !== 'heading' ? 1 + leadingLines(next) : 0);
        if (!pages.atTop && keep > pages.available) pages.newPage();
        pages.place(block.lines);
        if (options.sceneNumbers && block.number !== undefined) pages.numberLine(block.number, block.lines.length);
        return;
      }
      case 'action':
        return placeAction(pages, block.lines);
      case 'transition':
        if (!pages.atTop && block.lines.length > pages.available) pages.newPage();
        return pages.place(block.lines);
      case 'speech':
        return placeSpeech(pages, block);
    }
  });
  pages.newPage();
  return pages.pages;
}

/** Action breaks between lines, leaving at least two on each page; else it moves whole to the next page. */
function placeAction(pages: Paginator, all: Line[]): void {
  let rest = all;
  while (rest.length > pages.available) {
    const first = Math.min(pages.available, rest.length - 2);
    if (first >= 2) {
      pages.place(rest.slice(0, first));
      rest = rest.slice(first);
    } else if (pages.atTop) {
      // A page's worth with no room to honour the two-line rule (cannot happen at 55 lines; kept as a guard).
      pages.place(rest.slice(0, pages.available));
      rest = rest.slice(pages.available);
    }
    pages.newPage();
  }
  pages.place(rest);
}

/**
 * A speech that does not fit breaks after a sentence, with at least two spoken lines on the first page, (MORE)
 * under them, and the cue again with (CONT'D) on the next page. One with no such sentence moves to the next page
 * whole, as a script keeps a sentence together; only a speech longer than a page may break between lines.
 */
function placeSpeech(pages: Paginator, speech: Extract<Block, { kind: 'speech' }>): void {
  const { cue, parenthetical, dialogue } = SCREENPLAY_GEOMETRY;
  const head = (name: string, aside: string[]): Line[] => [{ text: name, x: cue.x }, ...aside.map((text) => ({ text, x: parenthetical.x }))];
  const spoken = (texts: string[]): Line[] => texts.map((text) => ({ text, x: dialogue.x }));
  let name = speech.cue;
  let aside = speech.parenthetical;
  let text = speech.text;
  for (;;) {
    const all = speechLines(text);
    if (1 + aside.length + all.length <= pages.available) {
      pages.place([...head(name, aside), ...spoken(all)]);
      return;
    }
    const room = pages.available - 1 - aside.length - 1; // cue, parenthetical, … , (MORE)
    const split = splitSpeech(text, room, 1 + aside.length + all.length > pages.linesPerPage);
    if (split) {
      pages.place([...head(name, aside), ...spoken(speechLines(split.first)), { text: MORE, x: cue.x }]);
      text = split.rest;
      name = name.endsWith(CONTINUED) ? name : `${name} ${CONTINUED}`;
      aside = [];
    } else if (pages.atTop) {
      // A parenthetical longer than a page: nothing sensible remains but to set it and go on.
      pages.place(head(name, aside));
      aside = [];
    }
    pages.newPage();
  }
}

/**
 * The longest first part of at most `room` lines (two or more) ending at a sentence; failing that, when
 * `betweenLines` allows it, the first `room` lines.
 */
function splitSpeech(text: string, room: number, betweenLines: boolean): { first: string; rest: string } | undefined {
  if (room < 2) return undefined;
  const sentences = sentencesOf(text);
  for (let count = sentences.length - 1; count >= 1; count--) {
    const first = sentences.slice(0, count).join(' ');
    const size = speechLines(first).length;
    if (size <= room && size >= 2) return { first, rest: sentences.slice(count).join(' ') };
    if (size < 2) break;
  }
  if (!betweenLines) return undefined;
  const all = speechLines(text);
  const first = Math.min(room, all.length - 2);
  if (first < 2) return undefined;
  return { first: all.slice(0, first).join(' '), rest: all.slice(first).join(' ') };
}
