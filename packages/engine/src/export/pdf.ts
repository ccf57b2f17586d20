// The PDF export (node entry only: pdf-lib stays out of the editor's bundle). A screenplay is set in the
// industry layout, prose as a manuscript; both in the PDF's built-in Courier, so no font file is needed.
import { PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';
import { StoryloomError } from '../errors';
import { PLACEHOLDER_NOTICE, type ScreenplayScene, type StoryDocument } from './document';
import { chaptersOf, layoutManuscript, wordCount } from './manuscript-pages';
import { FONT_SIZE, LINE_HEIGHT, type LaidOutPage, PAPER_SIZES, type Paper } from './page-model';
import { layoutScreenplay } from './screenplay-pages';
import { manuscriptTitlePage, screenplayTitlePage, type TitlePageFields } from './title-pages';

export interface PdfOptions {
  paper: Paper;
  sceneNumbers: boolean;
  date: string;
  contact?: string;
}

const AUTHOR = 'Storyloom';
const POINTS = 72;

/**
 * The built-in fonts cover Windows-1252 only: accented letters outside it lose their accents (Nguyễn →
 * Nguyen) and anything else becomes "?", rather than the export failing.
 */
function printableIn(font: PDFFont): (text: string) => string {
  const supported = new Set(font.getCharacterSet());
  const printable = (char: string): string => {
    const code = char.codePointAt(0)!;
    if (supported.has(code)) return char;
    if (/\s/.test(char)) return ' ';
    const base = char.normalize('NFKD').replace(/\p{M}/gu, '');
    return base && [...base].every((c) => supported.has(c.codePointAt(0)!)) ? base : '?';
  };
  return (text) => [...text.normalize('NFC')].map(printable).join('');
}

function draw(pdf: PDFDocument, font: PDFFont, paper: Paper, page: LaidOutPage): void {
  const size = PAPER_SIZES[paper];
  const target = pdf.addPage([size.width * POINTS, size.height * POINTS]);
  // The baseline sits three quarters down the 12 pt line box.
  const baselineDrop = LINE_HEIGHT * POINTS * 0.75;
  for (const text of page.texts) {
    const width = font.widthOfTextAtSize(text.text, FONT_SIZE);
    const left = text.x * POINTS - (text.align === 'right' ? width : text.align === 'center' ? width / 2 : 0);
    target.drawText(text.text, { x: left, y: (size.height - text.top) * POINTS - baselineDrop, size: FONT_SIZE, font });
  }
}

export async function renderPdf(document: StoryDocument, screenplay: ScreenplayScene[] | undefined, options: PdfOptions): Promise<Uint8Array> {
  if (!document.dialogue && !document.draft) {
    throw new StoryloomError('invalid_input', "nothing to export as pdf: the run has no 'dialogue' or 'draft' yet");
  }
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Courier);
  const printable = printableIn(font);
  const fields: TitlePageFields = {
    title: printable(document.title),
    credit: 'Written by',
    author: AUTHOR,
    date: options.date,
    ...(options.contact ? { contact: printable(options.contact) } : {}),
    placeholder: document.placeholder,
  };
  let pages: LaidOutPage[];
  if (document.dialogue && screenplay) {
    pages = [screenplayTitlePage(fields, options.paper), ...layoutScreenplay(screenplay, { paper: options.paper, sceneNumbers: options.sceneNumbers, printable })];
  } else {
    const chapters = chaptersOf(document.draft!, document.outline, document.scenes);
    const runningHead = `${AUTHOR} / ${fields.title.toUpperCase().slice(0, 40)}`;
    pages = [
      manuscriptTitlePage({ ...fields, words: wordCount(chapters) }, options.paper),
      ...layoutManuscript(chapters, { paper: options.paper, runningHead, printable }),
    ];
  }
  for (const page of pages) draw(pdf, font, options.paper, page);
  pdf.setTitle(fields.title);
  pdf.setAuthor(AUTHOR);
  pdf.setCreator('Storyloom');
  if (document.placeholder) pdf.setSubject(PLACEHOLDER_NOTICE);
  return pdf.save();
}
