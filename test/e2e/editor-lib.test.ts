// The editor's own small algorithms, checked directly: the LCS line diff behind the run comparison and the
// Fountain reader behind the screenplay page.
import { diffLines, outputText, sideBySide } from '../../packages/editor/src/lib/diff';
import { emphasisRuns, parseFountain } from '../../packages/editor/src/lib/fountain';

describe('line diff', () => {
  test('keeps common lines and marks the changed ones', () => {
    const ops = diffLines('a\nb\nc\nd', 'a\nx\nc\nd\ne');
    expect(ops).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'del', text: 'b' },
      { kind: 'add', text: 'x' },
      { kind: 'same', text: 'c' },
      { kind: 'same', text: 'd' },
      { kind: 'add', text: 'e' },
    ]);
  });

  test('finds the longest common subsequence, not just a shared prefix', () => {
    const ops = diffLines('x\na\nb\nc', 'a\nb\nc\ny');
    expect(ops.filter((op) => op.kind === 'same').map((op) => op.text)).toEqual(['a', 'b', 'c']);
    expect(ops.filter((op) => op.kind === 'del').map((op) => op.text)).toEqual(['x']);
    expect(ops.filter((op) => op.kind === 'add').map((op) => op.text)).toEqual(['y']);
  });

  test('identical texts have no changes; side by side numbers both sides', () => {
    expect(diffLines('p\nq', 'p\nq').every((op) => op.kind === 'same')).toBe(true);
    const rows = sideBySide(diffLines('one\ntwo\nthree', 'one\n2\nthree\nfour'));
    expect(rows).toEqual([
      { left: { text: 'one', changed: false, line: 1 }, right: { text: 'one', changed: false, line: 1 } },
      { left: { text: 'two', changed: true, line: 2 }, right: { text: '2', changed: true, line: 2 } },
      { left: { text: 'three', changed: false, line: 3 }, right: { text: 'three', changed: false, line: 3 } },
      { left: undefined, right: { text: 'four', changed: true, line: 4 } },
    ]);
  });

  test('outputs compare as text or indented JSON', () => {
    expect(outputText('plain')).toBe('plain');
    expect(outputText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(outputText(undefined)).toBe('');
  });
});

describe('Fountain reader', () => {
  const script = [
    'Title: The Message',
    'Credit: Written by',
    'Author: Storyloom',
    '',
    'INT. LIGHTHOUSE - NIGHT',
    '',
    'Wind against the glass. ELISKA climbs the stairs.',
    '',
    'ELISKA',
    '(quietly)',
    'Who wrote this?',
    '',
    'RAVI (V.O.)',
    'You did. Tomorrow.',
    '',
    '.FLASHBACK',
    '',
    '> The End <',
    '',
    'CUT TO:',
    '',
    '[[a note]] /* boneyard */',
  ].join('\n');

  test('reads the title page, headings, cues, parentheticals and dialogue', () => {
    const document = parseFountain(script);
    expect(document.titlePage).toEqual([
      { key: 'Title', value: 'The Message' },
      { key: 'Credit', value: 'Written by' },
      { key: 'Author', value: 'Storyloom' },
    ]);
    expect(document.elements).toEqual([
      { kind: 'scene', text: 'INT. LIGHTHOUSE - NIGHT' },
      { kind: 'action', text: 'Wind against the glass. ELISKA climbs the stairs.' },
      { kind: 'character', text: 'ELISKA' },
      { kind: 'parenthetical', text: '(quietly)' },
      { kind: 'dialogue', text: 'Who wrote this?' },
      { kind: 'character', text: 'RAVI (V.O.)' },
      { kind: 'dialogue', text: 'You did. Tomorrow.' },
      { kind: 'scene', text: 'FLASHBACK' },
      { kind: 'centered', text: 'The End' },
      { kind: 'transition', text: 'CUT TO:' },
    ]);
  });

  test('an upper-case line on its own is action, not a cue', () => {
    expect(parseFountain('\nBANG!\n\nShe runs.').elements).toEqual([
      { kind: 'action', text: 'BANG!' },
      { kind: 'action', text: 'She runs.' },
    ]);
  });

  test('emphasis becomes styled runs', () => {
    expect(emphasisRuns('a **bold** and *italic* _line_')).toEqual([
      { text: 'a ' },
      { text: 'bold', bold: true },
      { text: ' and ' },
      { text: 'italic', italic: true },
      { text: ' ' },
      { text: 'line', underline: true },
    ]);
  });
});
