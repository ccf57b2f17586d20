// The PDF export read back with an independent reader (pdfjs-dist): element positions against the industry
// layout, every heading and cue of the Fountain in order, page breaks (no heading left alone at a page's foot,
// (MORE)/(CONT'D) on a split speech), page numbers, the title page, A4, scene numbers, the prose manuscript,
// and the page count against afterwriting's for the same Fountain.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Fountain } from 'fountain-js';
import { exportDocument } from '../../src/export/export-document';
import { renderDocument } from '../../src/export';
import { isStoryloomError } from '../../src/errors';
import type { Character, Dialogue, DialogueScene, Draft } from '../../src/story/types';
import { blocksOf, readPdf, type PdfItem, type PdfPage, type PdfText } from '../../../../test/support/pdf';
import { PREMISES, planAndWrite } from '../support/story-chain';

const DATE = '2026-03-04';
const TOLERANCE = 0.05; // inches
const STANDARD = { heading: 1.5, action: 1.5, cue: 3.7, parenthetical: 3.1, dialogue: 2.5, dialogueRight: 6.0, right: 7.5 };
const AFTERWRITING = path.join(__dirname, '../../../../node_modules/afterwriting/awc.js');

const normal = (text: string): string => text.replace(/\s+/g, ' ').trim();
const near = (value: number, expected: number): boolean => Math.abs(value - expected) <= TOLERANCE;
const CONTD = " (CONT'D)";

/** Body items of a page: everything but the page number half an inch from the top. */
function body(page: PdfPage): PdfItem[] {
  return page.items.filter((item) => item.top > 0.9);
}

function fountainTokens(content: string): Array<{ type: string; text?: string }> {
  return new Fountain().parse(content, true).tokens as Array<{ type: string; text?: string }>;
}

interface Speech {
  cue: PdfItem;
  parenthetical: PdfItem[];
  dialogue: PdfItem[];
  more?: PdfItem;
  page: number;
}

/** Speech blocks: a block that opens with a cast cue (or its continuation), read into its parts by text. */
function speechesOf(pdf: PdfText, cues: Set<string>, asides: Set<string>): Speech[] {
  const speeches: Speech[] = [];
  pdf.pages.slice(1).forEach((page, index) => {
    for (const block of blocksOf({ ...page, items: body(page) })) {
      const [first, ...rest] = block;
      if (!cues.has(first.text.replace(CONTD, ''))) continue;
      const speech: Speech = { cue: first, parenthetical: [], dialogue: [], page: index + 1 };
      let inAside = rest.length > 0 && rest[0].text.startsWith('(') && rest[0].text !== '(MORE)';
      for (const item of rest) {
        if (item.text === '(MORE)') speech.more = item;
        else if (inAside) {
          speech.parenthetical.push(item);
          if (item.text.endsWith(')')) inAside = false;
        } else speech.dialogue.push(item);
      }
      if (speech.parenthetical.length > 0) expect(asides).toContain(normal(speech.parenthetical.map((i) => i.text).join(' ')));
      speeches.push(speech);
    }
  });
  return speeches;
}

/** The speeches of a dialogue in order, with a long one spliced into its first scene. */
function withLongSpeech(dialogue: Dialogue, speaker: string, sentences: number): { dialogue: Dialogue; text: string } {
  const text = Array.from({ length: sentences }, (_, i) => `This is sentence number ${i + 1} of a speech that will not fit on one page.`).join(' ');
  const [first, ...rest] = dialogue.scenes;
  const scene: DialogueScene = { ...first, elements: [...first.elements, { type: 'line', character: speaker, parenthetical: 'at length', text }] };
  return { dialogue: { ...dialogue, scenes: [scene, ...rest] }, text };
}

async function pdfOf(memory: Record<string, unknown>, options: Parameters<typeof exportDocument>[2] = {}): Promise<{ bytes: Uint8Array; pdf: PdfText }> {
  const document = await exportDocument('pdf', memory, { date: DATE, ...options });
  expect(document.mediaType).toBe('application/pdf');
  expect(document.filename).toMatch(/\.pdf$/);
  const bytes = document.content as Uint8Array;
  expect(Buffer.from(bytes.slice(0, 5)).toString('latin1')).toBe('%PDF-');
  return { bytes, pdf: await readPdf(bytes) };
}

async function afterwritingPages(fountain: string, profile: 'usletter' | 'a4'): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyloom-aw-'));
  try {
    fs.writeFileSync(path.join(dir, 'script.fountain'), fountain);
    await promisify(execFile)(process.execPath, [AFTERWRITING, '--source', 'script.fountain', '--pdf', 'script.pdf', '--overwrite', '--setting', `print_profile=${profile}`], {
      cwd: dir,
    });
    return (await readPdf(path.join(dir, 'script.pdf'))).pages.length;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('screenplay PDF', () => {
  let memory: Record<string, unknown>;
  let cast: Character[];
  let long: { dialogue: Dialogue; text: string };
  let pdf: PdfText;
  let cues: Set<string>;
  let asides: Set<string>;
  beforeAll(async () => {
    memory = await planAndWrite(PREMISES[0], 12);
    cast = (memory.characters as { characters: Character[] }).characters;
    long = withLongSpeech(memory.dialogue as Dialogue, cast[0].name, 40);
    memory = { ...memory, dialogue: long.dialogue };
    cues = new Set(cast.map((c) => c.name.toUpperCase()));
    asides = new Set(
      long.dialogue.scenes.flatMap((s) => s.elements.flatMap((e) => (e.type === 'line' && e.parenthetical ? [`(${e.parenthetical})`] : []))),
    );
    ({ pdf } = await pdfOf(memory, { contact: 'Agent Smith; 555-0100' }));
  });

  test('is US Letter in Courier, with a title page and numbered pages from page 2', () => {
    expect(pdf.pages.length).toBeGreaterThan(8);
    for (const page of pdf.pages) expect([page.width, page.height]).toEqual([8.5, 11]);
    const title = pdf.pages[0].items.map((item) => item.text);
    const credit = title.indexOf('Written by');
    expect(normal(title.slice(0, credit).join(' '))).toBe((memory.logline as { title: string }).title.toUpperCase());
    expect(title[credit + 1]).toBe('Storyloom');
    expect(title).toEqual(expect.arrayContaining(['Agent Smith', '555-0100', DATE]));
    expect(normal(title.join(' '))).toContain('PLACEHOLDER: written by the offline writer (no model)');
    expect(pdf.subject).toMatch(/^PLACEHOLDER: written by the offline writer/);
    // The first script page has no number; the next ones carry "2.", "3.", … top right on the 1" margin.
    expect(pdf.pages[1].items.filter((item) => item.top < 0.9)).toEqual([]);
    pdf.pages.slice(2).forEach((page, i) => {
      const numbers = page.items.filter((item) => item.top < 0.9);
      expect(numbers.map((item) => item.text)).toEqual([`${i + 2}.`]);
      expect(near(numbers[0].right, STANDARD.right)).toBe(true);
      expect(Math.abs(numbers[0].top - 0.5 - 0.125)).toBeLessThan(0.1);
    });
  });

  test('cues, parentheticals and dialogue sit where the industry layout puts them', () => {
    const speeches = speechesOf(pdf, cues, asides);
    const lines = long.dialogue.scenes.flatMap((s) => s.elements.filter((e) => e.type === 'line'));
    expect(speeches.filter((s) => !s.cue.text.endsWith(CONTD))).toHaveLength(lines.length);
    for (const speech of speeches) {
      expect([speech.cue.text, near(speech.cue.x, STANDARD.cue)]).toEqual([speech.cue.text, true]);
      for (const item of speech.parenthetical) expect([item.text, near(item.x, STANDARD.parenthetical)]).toEqual([item.text, true]);
      for (const item of speech.dialogue) {
        expect([item.text, near(item.x, STANDARD.dialogue), item.right <= STANDARD.dialogueRight + TOLERANCE]).toEqual([item.text, true, true]);
      }
    }
    expect(speeches.some((s) => s.parenthetical.length > 0)).toBe(true);
    // Every word of every speech is there, in order, whatever page it crossed to.
    const spoken: string[] = [];
    for (const speech of speeches) {
      const text = normal(speech.dialogue.map((item) => item.text).join(' '));
      if (speech.cue.text.endsWith(CONTD)) spoken[spoken.length - 1] += ` ${text}`;
      else spoken.push(text);
    }
    expect(spoken).toEqual(lines.map((line) => (line.type === 'line' ? normal(line.text) || '...' : '')));
  });

  test('scene headings and action start on the left margin; transitions end on the right one', () => {
    const items = pdf.pages.slice(1).flatMap(body);
    const headings = long.dialogue.scenes.map((s) => s.heading.toUpperCase());
    const found = items.filter((item) => headings.includes(item.text));
    expect(found.length).toBe(headings.length);
    for (const item of found) expect(near(item.x, STANDARD.heading)).toBe(true);
    const actions = long.dialogue.scenes.flatMap((s) => s.elements.flatMap((e) => (e.type === 'action' ? [normal(e.text)] : [])));
    expect(actions.length).toBeGreaterThan(5);
    for (const action of actions) {
      const opening = items.find((item) => item.text.length >= 10 && action.startsWith(item.text));
      expect([action, opening && near(opening.x, STANDARD.action)]).toEqual([action, true]);
    }
    const transitions = long.dialogue.scenes.flatMap((s) => s.elements.flatMap((e) => (e.type === 'transition' ? [e.text.toUpperCase()] : [])));
    for (const item of items.filter((i) => transitions.includes(i.text))) expect(near(item.right, STANDARD.right)).toBe(true);
  });

  test('every scene heading and cue of the Fountain is in the PDF, in the same order', () => {
    const tokens = fountainTokens(renderDocument('fountain', memory, { date: DATE }).content);
    const expected = tokens.filter((t) => t.type === 'scene_heading' || t.type === 'character').map((t) => t.text!.toUpperCase());
    expect(expected.length).toBeGreaterThan(30);
    const wanted = new Set(expected);
    const inPdf = pdf.pages
      .slice(1)
      .flatMap(body)
      .map((item) => item.text)
      .filter((text) => wanted.has(text));
    expect(inPdf).toEqual(expected);
  });

  test('about 55 lines a page, and no page ends with a scene heading', () => {
    const headings = new Set(long.dialogue.scenes.map((s) => s.heading.toUpperCase()));
    let fullPages = 0;
    for (const page of pdf.pages.slice(1, -1)) {
      const lines = new Set(body(page).map((item) => item.top.toFixed(3)));
      expect(lines.size).toBeLessThanOrEqual(55);
      const bottom = Math.max(...body(page).map((item) => item.top));
      // 55 lines from the 1" top margin: the last baseline sits above 10.2".
      expect(bottom).toBeLessThan(1 + 55 / 6);
      if (lines.size >= 45) fullPages++;
      const blocks = blocksOf({ ...page, items: body(page) });
      const last = blocks[blocks.length - 1];
      expect(last.some((item) => headings.has(item.text))).toBe(false);
    }
    expect(fullPages).toBeGreaterThan(0);
  });

  test("a speech that crosses a page ends with (MORE) and goes on under the cue with (CONT'D)", () => {
    const speeches = speechesOf(pdf, cues, asides);
    const broken = speeches.filter((s) => s.more);
    expect(broken.length).toBeGreaterThanOrEqual(1);
    for (const speech of broken) {
      expect(near(speech.more!.x, STANDARD.cue)).toBe(true);
      const next = speeches[speeches.indexOf(speech) + 1];
      expect(next.page).toBe(speech.page + 1);
      expect(next.cue.text).toBe(`${speech.cue.text.replace(CONTD, '')}${CONTD}`);
      // The continuation opens its page, and the break falls after a sentence.
      expect(body(pdf.pages[next.page])[0]).toEqual(next.cue);
      expect(speech.dialogue[speech.dialogue.length - 1].text).toMatch(/\.$/);
      expect(speech.dialogue.length).toBeGreaterThanOrEqual(2);
    }
    const speaker = cast[0].name.toUpperCase();
    const pieces = speeches.filter((s) => s.cue.text.replace(CONTD, '') === speaker);
    const first = pieces.findIndex((s) => s.more);
    let text = '';
    for (let i = first; i < pieces.length; i++) {
      text += ` ${pieces[i].dialogue.map((item) => item.text).join(' ')}`;
      if (!pieces[i].more) break;
    }
    expect(normal(text)).toBe(long.text);
  });

  test('page count within 10% of afterwriting for the same Fountain (Letter and A4)', async () => {
    const fountain = renderDocument('fountain', memory, { date: DATE }).content;
    const letter = await afterwritingPages(fountain, 'usletter');
    expect(Math.abs(pdf.pages.length - letter) / letter).toBeLessThanOrEqual(0.1);
    const a4 = await pdfOf(memory, { paper: 'a4' });
    for (const page of a4.pdf.pages) {
      expect([page.width, page.height]).toEqual([expect.closeTo(8.27, 1), expect.closeTo(11.69, 1)]);
      // A4 is narrower: lines still end inside the 1" right margin.
      for (const item of page.items) expect([item.text, item.right <= page.width - 1 + TOLERANCE]).toEqual([item.text, true]);
    }
    for (const page of pdf.pages) for (const item of page.items) expect(item.right).toBeLessThanOrEqual(STANDARD.right + TOLERANCE);
    const a4Reference = await afterwritingPages(fountain, 'a4');
    expect(Math.abs(a4.pdf.pages.length - a4Reference) / a4Reference).toBeLessThanOrEqual(0.1);
  }, 120_000);

  test('scene numbers, when asked for, stand in both margins beside each heading', async () => {
    const numbered = (await pdfOf(memory, { sceneNumbers: true })).pdf;
    const headings = long.dialogue.scenes.map((s) => s.heading.toUpperCase());
    const items = numbered.pages.slice(1).flatMap((page, index) => body(page).map((item) => ({ ...item, page: index })));
    let from = 0;
    headings.forEach((heading, i) => {
      from = items.findIndex((item, index) => index >= from && item.text === heading);
      const line = items[from];
      const beside = items.filter((item) => item.page === line.page && Math.abs(item.top - line.top) < 0.01 && item !== line);
      expect(beside.map((item) => item.text)).toEqual([`${i + 1}`, `${i + 1}`]);
      expect(beside[0].right).toBeLessThan(STANDARD.heading);
      expect(beside[1].x).toBeGreaterThan(STANDARD.right);
    });
    expect(pdf.pages.slice(1).flatMap(body).some((item) => item.text === '1')).toBe(false);
  });
});

describe('page breaks around scene headings', () => {
  const cast = [{ name: 'Mara', role: 'lead', description: 'd', want: 'w', flaw: 'f', voice: 'v' }];
  // Lines of action: 51 lines put the next heading on the page's last line, 50 on the one before.
  const actionOf = (lines: number) => Array.from({ length: lines }, (_, i) => `Line ${String(i + 1).padStart(2, '0')} ${'x'.repeat(51)}`).join(' ');
  const scenes = (lengths: number[]): Dialogue => ({
    scenes: lengths.map((lines, i) => ({ number: i + 1, heading: `INT. ROOM ${i + 1} - DAY`, elements: [{ type: 'action', text: actionOf(lines) }] })),
  });

  // The heading needs itself, a blank line and the first three lines of its action below it: after 47 lines of
  // action that fits exactly; after 48 or more it moves to the next page.
  test.each([47, 48, 50, 51, 52])('a heading near the foot of a page (after %i lines of action) keeps its action with it', async (lines) => {
    const memory = { logline: { title: 'Breaks', logline: 'l', genre: 'g', tone: 't' }, characters: { characters: cast }, dialogue: scenes([lines, 3]) };
    const { pdf } = await pdfOf(memory);
    const page1 = body(pdf.pages[1]).map((item) => item.text);
    const page2 = pdf.pages[2] ? body(pdf.pages[2]).map((item) => item.text) : [];
    const headingPage = page1.includes('INT. ROOM 2 - DAY') ? page1 : page2;
    const index = headingPage.indexOf('INT. ROOM 2 - DAY');
    // Whichever page it is on, the heading is followed there by its action.
    expect(headingPage[index + 1]).toMatch(/^Line 01/);
    if (lines >= 48) expect(page2[0]).toBe('INT. ROOM 2 - DAY');
    else expect(page1).toContain('INT. ROOM 2 - DAY');
  });
});

describe('prose manuscript PDF', () => {
  let draft: Draft;
  let pdf: PdfText;
  let memory: Record<string, unknown>;
  beforeAll(async () => {
    const { dialogue: _dialogue, ...prose } = await planAndWrite(PREMISES[1], 6);
    memory = prose;
    draft = prose.draft as Draft;
    ({ pdf } = await pdfOf(prose));
  });

  test('has a manuscript title page, chapters on new pages, double spacing and a running head', () => {
    const title = (memory.logline as { title: string }).title;
    const first = pdf.pages[0].items.map((item) => item.text);
    expect(first).toEqual(expect.arrayContaining(['Storyloom', title.toUpperCase(), 'by Storyloom', DATE]));
    expect(first.some((text) => /^about [\d,]+ words$/.test(text))).toBe(true);
    const pages = pdf.pages.slice(1);
    pages.forEach((page, i) => {
      const head = page.items.filter((item) => item.top < 0.9);
      expect(normal(head.map((item) => item.text).join(' '))).toBe(`Storyloom / ${title.toUpperCase().slice(0, 40)} / ${i + 1}`);
      expect(near(Math.max(...head.map((item) => item.right)), 7.5)).toBe(true);
      // Double spacing: baselines a third of an inch apart (or whole multiples of it around chapter headings).
      const tops = [...new Set(body(page).map((item) => item.top.toFixed(3)))].map(Number).sort((a, b) => a - b);
      const gaps = tops.slice(1).map((top, j) => (top - tops[j]) * 3);
      for (const gap of gaps) expect(Math.abs(gap - Math.round(gap))).toBeLessThan(0.01);
      if (gaps.length > 0) expect(Math.min(...gaps)).toBeCloseTo(1, 2);
      for (const item of body(page)) {
        expect(item.x).toBeGreaterThanOrEqual(1 - TOLERANCE);
        expect(item.right).toBeLessThanOrEqual(pdf.pages[0].width - 1 + TOLERANCE);
      }
    });
    const chapters = pages.filter((page) => body(page).some((item) => /^Chapter \d+$/.test(item.text)));
    expect(chapters.length).toBeGreaterThanOrEqual(1);
    for (const page of chapters) expect(body(page)[0].text).toMatch(/^Chapter \d+$/);
    const words = normal(pages.flatMap(body).map((item) => item.text).join(' '));
    for (const passage of draft.passages) expect(words).toContain(normal(passage.text).slice(0, 60));
  });
});

describe('PDF options and text outside the built-in font', () => {
  const cast = ['Zoë', 'Nguyễn Anh', '李雷'].map((name) => ({ name, role: 'r', description: 'd', want: 'w', flaw: 'f', voice: 'v' }));
  const memory = {
    logline: { title: 'Café “Noir” — Ólafur’s Night', logline: 'l', genre: 'g', tone: 't' },
    characters: { characters: cast },
    dialogue: {
      scenes: [
        {
          number: 1,
          heading: 'INT. CAFÉ - NIGHT',
          elements: cast.map((c) => ({ type: 'line' as const, character: c.name, parenthetical: null, text: `Ça va? ${c.name} says “hi” — naïvely.` })),
        },
      ],
    },
  };

  test('Windows-1252 text keeps its accents and quotes; other letters lose accents or become "?"', async () => {
    const { pdf } = await pdfOf(memory);
    const texts = pdf.pages.flatMap((page) => page.items.map((item) => item.text));
    expect(texts).toEqual(expect.arrayContaining(['CAFÉ “NOIR” — ÓLAFUR’S NIGHT', 'INT. CAFÉ - NIGHT', 'ZOË', 'NGUYEN ANH', '??']));
    expect(texts).toContain('Ça va? Zoë says “hi” — naïvely.');
  });

  test('a bad paper or date is refused naming it; a run without scenes has nothing to print', async () => {
    await expect(exportDocument('pdf', memory, { paper: 'legal' as never })).rejects.toThrow(/unknown paper 'legal': use letter or a4/);
    await expect(exportDocument('pdf', memory, { date: 'tomorrow' })).rejects.toThrow(/draft date 'tomorrow'/);
    const error = await exportDocument('pdf', { logline: memory.logline }).catch((e: unknown) => e);
    expect(isStoryloomError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toMatch(/nothing to export as pdf/);
    expect(() => renderDocument('pdf' as never, memory)).toThrow(/pdf is rendered by exporting the run/);
  });
});
