// Where a speech breaks at the foot of a page: after a sentence, with (MORE) and (CONT'D); a speech with no
// sentence to break at moves to the next page whole; only a speech longer than a page breaks between lines.
import { CONTINUED, layoutScreenplay, MORE } from '../../src/export/screenplay-pages';
import type { ScreenplayScene } from '../../src/export/document';
import type { LaidOutPage } from '../../src/export/page-model';

/** One short action paragraph per line: each takes its line and the blank line above it. */
const actions = (count: number) => Array.from({ length: count }, (_, i) => ({ type: 'action' as const, text: `Beat ${i + 1}.` }));

/** One sentence (no full stop until its end) of about `words` words. */
const sentence = (words: number) => `${Array.from({ length: words }, (_, i) => (i % 6 === 5 ? 'then,' : 'and she keeps talking')).join(' ')} anyway.`;

const texts = (page: LaidOutPage) => page.texts.map((text) => text.text);

function layout(elements: ScreenplayScene['elements']): LaidOutPage[] {
  return layoutScreenplay([{ heading: 'INT. KITCHEN - NIGHT', elements }], { paper: 'letter', sceneNumbers: false });
}

test('a speech that fits on a page but has no sentence to break at the foot of one goes to the next page whole', () => {
  const speech = sentence(14); // a few lines, one sentence
  const pages = layout([...actions(23), { type: 'line', character: 'MARA', parenthetical: null, text: speech }]);
  expect(pages).toHaveLength(2);
  expect(texts(pages[0])).toContain('Beat 23.');
  expect(texts(pages[0])).not.toContain('MARA');
  expect(texts(pages[1])[0]).toBe('MARA');
  expect(texts(pages[1]).slice(1, -1).join(' ')).toBe(speech); // the page number comes last
  expect(pages.flatMap(texts)).not.toContain(MORE);
});

test('at the foot of a page, a speech breaks after a sentence that leaves two lines or more above (MORE)', () => {
  const first = `${sentence(2)} ${sentence(2)}`; // two short sentences, then a long one
  const speech = `${first} ${sentence(14)}`;
  const pages = layout([...actions(23), { type: 'line', character: 'MARA', parenthetical: null, text: speech }]);
  const [top, next] = pages.map(texts);
  expect(top.slice(top.indexOf('MARA') + 1, top.indexOf(MORE)).join(' ')).toBe(first);
  expect(next[0]).toBe(`MARA ${CONTINUED}`);
});

test('a speech longer than a page, all one sentence, breaks between lines', () => {
  const speech = sentence(300);
  const pages = layout([{ type: 'line', character: 'MARA', parenthetical: null, text: speech }]);
  expect(pages.length).toBeGreaterThan(1);
  const [top, next] = pages.map(texts);
  expect(top).toContain(MORE);
  expect(next[0]).toBe(`MARA ${CONTINUED}`);
  const spoken = pages.flatMap((page) => texts(page).filter((text) => !/^MARA|^INT\.|^\(MORE\)$|^\d+\.$/.test(text)));
  expect(spoken.join(' ')).toBe(speech);
});
