// Title pages for the PDF export: the screenplay's (title, credit, author centred a third of the way down;
// contact bottom left, draft date bottom right) and the manuscript's (contact top left, word count top right,
// title and byline centred halfway down). Text the offline writer wrote says so on both.
import { PLACEHOLDER_NOTICE } from './document';
import { LINE_HEIGHT, type LaidOutPage, PAPER_SIZES, type Paper, type PlacedText } from './page-model';
import { wrapText } from './wrap';

export interface TitlePageFields {
  title: string;
  credit: string;
  author: string;
  date: string;
  contact?: string;
  /** The offline writer wrote the text: a placeholder, not a draft. */
  placeholder: boolean;
}


const TITLE_WIDTH = 50;

function centred(texts: string[], paper: Paper, top: number): PlacedText[] {
  const centre = PAPER_SIZES[paper].width / 2;
  return texts.map((text, i) => ({ text, x: centre, top: top + i * LINE_HEIGHT, align: 'center' as const }));
}

function contactLines(contact: string | undefined): string[] {
  return (contact ?? '').split(/\s*(?:\n|;)\s*/).map((line) => line.trim()).filter(Boolean);
}

export function screenplayTitlePage(fields: TitlePageFields, paper: Paper): LaidOutPage {
  const { width, height } = PAPER_SIZES[paper];
  const title = wrapText(fields.title.toUpperCase(), TITLE_WIDTH);
  let top = 3.5;
  const texts = centred(title, paper, top);
  top += (title.length + 3) * LINE_HEIGHT;
  texts.push(...centred([fields.credit], paper, top));
  top += 2 * LINE_HEIGHT;
  texts.push(...centred([fields.author], paper, top));
  if (fields.placeholder) texts.push(...centred(wrapText(PLACEHOLDER_NOTICE, TITLE_WIDTH), paper, top + 4 * LINE_HEIGHT));
  const contact = contactLines(fields.contact);
  const bottom = height - 1 - LINE_HEIGHT;
  contact.forEach((text, i) => texts.push({ text, x: 1.5, top: bottom - (contact.length - 1 - i) * LINE_HEIGHT }));
  texts.push({ text: fields.date, x: width - 1, top: bottom, align: 'right' });
  return { texts };
}

export function manuscriptTitlePage(fields: TitlePageFields & { words: number }, paper: Paper): LaidOutPage {
  const { width, height } = PAPER_SIZES[paper];
  const texts: PlacedText[] = [];
  [fields.author, ...contactLines(fields.contact)].forEach((text, i) => texts.push({ text, x: 1, top: 1 + i * LINE_HEIGHT }));
  texts.push({ text: `about ${roundedWords(fields.words)} words`, x: width - 1, top: 1, align: 'right' });
  let top = height / 2 - 2 * LINE_HEIGHT;
  const title = wrapText(fields.title.toUpperCase(), TITLE_WIDTH);
  texts.push(...centred(title, paper, top));
  top += (title.length + 1) * LINE_HEIGHT;
  texts.push(...centred([`by ${fields.author}`], paper, top));
  if (fields.placeholder) texts.push(...centred(wrapText(PLACEHOLDER_NOTICE, TITLE_WIDTH), paper, top + 3 * LINE_HEIGHT));
  texts.push({ text: fields.date, x: width - 1, top: height - 1 - LINE_HEIGHT, align: 'right' });
  return { texts };
}

/** Manuscripts give the length rounded: to the nearest 100 words (10 under a thousand). */
function roundedWords(words: number): string {
  const step = words < 1000 ? 10 : 100;
  return (Math.max(step, Math.round(words / step) * step)).toLocaleString('en-US');
}
