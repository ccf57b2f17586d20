// Laid-out pages for the PDF export: paper sizes and text placed in inches, independent of any PDF library,
// so pagination is plain data that tests and renderers read the same way.

export type Paper = 'letter' | 'a4';

export const PAPERS: readonly Paper[] = ['letter', 'a4'];

/** Width and height in inches. */
export const PAPER_SIZES: Record<Paper, { width: number; height: number }> = {
  letter: { width: 8.5, height: 11 },
  a4: { width: 595.28 / 72, height: 841.89 / 72 }, // 210 × 297 mm
};

/** Courier 12 pt: ten characters to the inch, six lines to the inch. */
export const CHAR_WIDTH = 0.1;
export const LINE_HEIGHT = 1 / 6;
export const FONT_SIZE = 12;

/** One run of text on a page. `x` is the left edge, or the right edge for `align: 'right'`, the centre for 'center'. */
export interface PlacedText {
  text: string;
  x: number;
  /** Top of the line box, inches from the top edge of the paper. */
  top: number;
  align?: 'left' | 'right' | 'center';
}

export interface LaidOutPage {
  texts: PlacedText[];
}

export interface LaidOutDocument {
  paper: Paper;
  pages: LaidOutPage[];
}

/** Page numbers sit half an inch from the top, right-aligned on the right margin: "2." */
export function pageNumberText(number: number, paper: Paper, suffix = '.'): PlacedText {
  return { text: `${number}${suffix}`, x: PAPER_SIZES[paper].width - 1, top: 0.5, align: 'right' };
}
