// Prose in standard manuscript layout: Courier 12 pt double-spaced, 1" margins, indented paragraphs, each
// chapter on a new page a third of the way down, "#" between scenes of a chapter, and a running head
// (author / TITLE / page) on every page after the title page.
import type { Draft, Outline, SceneCard } from '../story/types';
import { LINE_HEIGHT, type LaidOutPage, PAPER_SIZES, type Paper, type PlacedText } from './page-model';
import { wrapText } from './wrap';

const MARGIN = 1;
const INDENT = 5; // characters: half an inch
const ROW = 2 * LINE_HEIGHT; // double spacing
/** Where a chapter's heading starts, in double-spaced rows below the top margin (about a third down the page). */
const CHAPTER_DROP = 6;

export interface Chapter {
  title: string;
  /** Each scene: its paragraphs. */
  scenes: string[][];
}

function paragraphsOf(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').trim())
    .filter(Boolean);
}

/**
 * Chapters follow the outline's acts when every passage belongs to one (through its scene card's beat);
 * otherwise each passage is a chapter of its own.
 */
export function chaptersOf(draft: Draft, outline: Outline | undefined, cards: SceneCard[]): Chapter[] {
  const actOf = (number: number): number | undefined => {
    if (!outline) return undefined;
    const card = cards.find((c) => c.number === number);
    const index = outline.acts.findIndex((act) => act.beats.some((beat) => (card ? beat.summary === card.beat : false) || beat.number === number));
    return index < 0 ? undefined : index;
  };
  const acts = draft.passages.map((passage) => actOf(passage.number));
  if (outline && acts.every((act) => act !== undefined)) {
    return outline.acts
      .map((act, index) => ({ title: act.title, scenes: draft.passages.filter((_, i) => acts[i] === index).map((p) => paragraphsOf(p.text)) }))
      .filter((chapter) => chapter.scenes.length > 0);
  }
  return draft.passages.map((passage) => ({ title: passage.title, scenes: [paragraphsOf(passage.text)] }));
}

export interface ManuscriptLayoutOptions {
  paper: Paper;
  /** Surname / TITLE for the running head. */
  runningHead: string;
  printable?: (text: string) => string;
}

export function layoutManuscript(chapters: Chapter[], options: ManuscriptLayoutOptions): LaidOutPage[] {
  const printable = options.printable ?? ((text: string) => text);
  const { width, height } = PAPER_SIZES[options.paper];
  const columns = Math.floor((width - 2 * MARGIN) * 10);
  const rows = Math.floor((height - 2 * MARGIN) / ROW);
  const pages: LaidOutPage[] = [];
  let texts: PlacedText[] = [];
  let row = 0;
  const newPage = () => {
    if (texts.length > 0) {
      texts.push({ text: `${options.runningHead} / ${pages.length + 1}`, x: width - MARGIN, top: 0.5, align: 'right' });
      pages.push({ texts });
    }
    texts = [];
    row = 0;
  };
  const put = (text: string, x: number, align?: 'center') => {
    if (row >= rows) newPage();
    texts.push({ text, x, top: MARGIN + row * ROW, ...(align ? { align } : {}) });
    row++;
  };
  const centre = width / 2;
  chapters.forEach((chapter, index) => {
    newPage();
    row = CHAPTER_DROP;
    put(`Chapter ${index + 1}`, centre, 'center');
    if (chapter.title.trim()) put(printable(chapter.title.trim()), centre, 'center');
    row++;
    chapter.scenes.forEach((paragraphs, sceneIndex) => {
      if (sceneIndex > 0) put('#', centre, 'center');
      for (const paragraph of paragraphs) {
        wrapText(printable(paragraph), columns, INDENT).forEach((line, i) => put(line, MARGIN + (i === 0 ? INDENT / 10 : 0)));
      }
    });
  });
  newPage();
  return pages;
}

export function wordCount(chapters: Chapter[]): number {
  return chapters.flatMap((c) => c.scenes.flat()).reduce((sum, paragraph) => sum + paragraph.split(/\s+/).filter(Boolean).length, 0);
}
