import { Fountain } from 'fountain-js';
import { PLACEHOLDER_NOTICE } from '../../src/export/document';
import { renderDocument, EXPORT_FORMATS } from '../../src/export';
import { isStoryloomError } from '../../src/errors';
import type { Character, Dialogue } from '../../src/story/types';
import { PREMISES, planAndWrite } from '../support/story-chain';
import { childElements, parseXml, textOf, type XmlElement } from './xml';

const paragraphText = (paragraph: XmlElement): string => childElements(paragraph, 'Text').map(textOf).join('');

const DATE = '2026-01-02';

function tokensOf(content: string): Array<{ type: string; text?: string }> {
  return new Fountain().parse(content, true).tokens as Array<{ type: string; text?: string }>;
}

describe.each(PREMISES)('export of "%s"', (premise) => {
  let memory: Record<string, unknown>;
  let cast: Character[];
  let dialogue: Dialogue;
  beforeAll(async () => {
    memory = await planAndWrite(premise, 5);
    cast = (memory.characters as { characters: Character[] }).characters;
    dialogue = memory.dialogue as Dialogue;
  });

  test('Fountain parses with fountain-js into title page, headings, cues and dialogue', () => {
    const document = renderDocument('fountain', memory, { date: DATE });
    expect(document).toMatchObject({ format: 'fountain', mediaType: expect.stringContaining('text/plain'), filename: expect.stringMatching(/\.fountain$/) });
    const script = new Fountain().parse(document.content, true);
    const title = (memory.logline as { title: string }).title;
    expect(script.title).toBe(title);
    const tokens = script.tokens as Array<{ type: string; text?: string }>;
    const titlePage = Object.fromEntries(tokens.filter((t) => ['title', 'credit', 'author', 'draft_date', 'notes'].includes(t.type)).map((t) => [t.type, t.text]));
    // The offline writer's script says on its title page that it is a placeholder.
    expect(titlePage).toEqual({ title, credit: 'Written by', author: 'Storyloom', draft_date: DATE, notes: `${PLACEHOLDER_NOTICE} ${(memory.logline as { logline: string }).logline}` });

    expect(tokens.filter((t) => t.type === 'scene_heading').map((t) => t.text)).toEqual(dialogue.scenes.map((s) => s.heading));
    const cues = tokens.filter((t) => t.type === 'character').map((t) => t.text);
    const lines = dialogue.scenes.flatMap((s) => s.elements.filter((e) => e.type === 'line'));
    expect(cues).toHaveLength(lines.length);
    const castCues = new Set(cast.map((c) => c.name.toUpperCase()));
    for (const cue of cues) expect(castCues).toContain(cue);
    expect(tokens.filter((t) => t.type === 'dialogue')).toHaveLength(lines.length);
    expect(tokens.filter((t) => t.type === 'parenthetical')).toHaveLength(lines.filter((l) => l.type === 'line' && l.parenthetical).length);
    // Action stays action: no paragraph was mistaken for a cue or heading.
    const actions = dialogue.scenes.flatMap((s) => s.elements.filter((e) => e.type === 'action'));
    expect(tokens.filter((t) => t.type === 'action')).toHaveLength(actions.length);
  });

  test('FDX is well-formed Final Draft XML with every paragraph in order', () => {
    const document = renderDocument('fdx', memory, { date: DATE });
    expect(document.content.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="no" ?>')).toBe(true);
    const root = parseXml(document.content);
    expect(root).toMatchObject({ name: 'FinalDraft', attributes: { DocumentType: 'Script', Template: 'No', Version: '5' } });
    const paragraphs = childElements(childElements(root, 'Content')[0], 'Paragraph');
    const types = paragraphs.map((p) => p.attributes.Type);
    expect(types.filter((t) => t === 'Scene Heading')).toHaveLength(dialogue.scenes.length);
    const characters = paragraphs.filter((p) => p.attributes.Type === 'Character').map(paragraphText);
    for (const name of characters) expect(cast.map((c) => c.name.toUpperCase())).toContain(name);
    // Every Character paragraph is followed (after an optional Parenthetical) by Dialogue.
    types.forEach((type, i) => {
      if (type === 'Character') expect([types[i + 1], types[i + 2]]).toContain('Dialogue');
    });
    expect(childElements(root, 'TitlePage')).toHaveLength(1);
  });

  test('Markdown has the plan and the screenplay; prose renders as a story', () => {
    const markdown = renderDocument('markdown', memory).content;
    expect(markdown).toMatch(/^# .+\n/);
    expect(markdown).toContain('## Characters');
    expect(markdown).toContain('## Screenplay');
    expect(markdown).toContain(`### ${dialogue.scenes[0].heading}`);
    const prose = renderDocument('markdown', { ...memory, dialogue: undefined }).content;
    expect(prose).toContain('## Story');
    expect(prose).not.toContain('## Screenplay');
  });

  test('JSON is the memory as a document', () => {
    const document = renderDocument('json', memory, { date: DATE });
    expect(JSON.parse(document.content)).toEqual({ format: 'storyloom/story@1', title: (memory.logline as { title: string }).title, exportedAt: DATE, memory });
    expect(document.mediaType).toContain('application/json');
  });

  test('a prose draft exports to Fountain as action-only scenes', () => {
    const { dialogue: _dialogue, ...proseOnly } = memory;
    const tokens = tokensOf(renderDocument('fountain', proseOnly).content);
    expect(tokens.filter((t) => t.type === 'scene_heading')).toHaveLength(5);
    expect(tokens.filter((t) => t.type === 'character')).toHaveLength(0);
    expect(tokens.filter((t) => t.type === 'action').length).toBeGreaterThanOrEqual(15);
    expect(() => parseXml(renderDocument('fdx', proseOnly).content)).not.toThrow();
  });
});

describe('export edge cases', () => {
  const cast = [{ name: 'Mara', role: 'lead', description: 'd', want: 'w', flaw: 'f', voice: 'v', pronouns: 'she/her', age: '40', relationships: 'none', sampleLine: 'No.' }];
  const tricky: Dialogue = {
    scenes: [
      {
        number: 1,
        heading: 'INT. R&D LAB <B> - NIGHT',
        elements: [
          { type: 'action', text: 'A sign: "KEEP OUT" & <nothing> else. It\'s late.' },
          { type: 'action', text: 'BOOM.' },
          { type: 'line', character: 'Mara', parenthetical: 'whispering "now"', text: 'Fish & chips < caviar > nothing, "right"?' },
          { type: 'transition', text: 'CUT TO:' },
        ],
      },
      { number: 2, heading: 'The roof', elements: [{ type: 'action', text: 'Int the roof is flat.' }, { type: 'line', character: 'Mara', parenthetical: null, text: '' }] },
    ],
  };
  const memory = { logline: { title: 'Fish & <Chips> "Deluxe"', logline: 'A & B.', genre: 'Drama', tone: 'dry' }, characters: { characters: cast }, dialogue: tricky };

  test('FDX escapes & < > " and stays well-formed', () => {
    const content = renderDocument('fdx', memory).content;
    expect(content).toContain('Fish &amp; chips &lt; caviar &gt; nothing, &quot;right&quot;?');
    const root = parseXml(content);
    const texts = childElements(childElements(root, 'Content')[0], 'Paragraph').map(paragraphText);
    expect(texts).toContain('INT. R&D LAB <B> - NIGHT');
    expect(texts).toContain('Fish & chips < caviar > nothing, "right"?');
    expect(texts).toContain('(whispering "now")');
    expect(textOf(childElements(root, 'TitlePage')[0])).toContain('FISH & <CHIPS> "DELUXE"');
  });

  test('the XML checker itself rejects broken documents', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/does not match/);
    expect(() => parseXml('<a>fish & chips</a>')).toThrow(/entity/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a></a><b></b>')).toThrow(/more than one root/);
  });

  test('Fountain forces what it would misread: odd headings, shouted action, empty lines', () => {
    const content = renderDocument('fountain', memory).content;
    expect(content).toContain('\n.THE ROOF\n');
    expect(content).toContain('\n!BOOM.\n');
    expect(content).toContain('\n!Int the roof is flat.\n');
    const tokens = tokensOf(content);
    expect(tokens.filter((t) => t.type === 'scene_heading').map((t) => t.text)).toEqual(['INT. R&D LAB <B> - NIGHT', 'THE ROOF']);
    expect(tokens.filter((t) => t.type === 'character').map((t) => t.text)).toEqual(['MARA', 'MARA']);
    expect(tokens.filter((t) => t.type === 'transition')).toHaveLength(1);
    expect(tokens.filter((t) => t.type === 'action').map((t) => t.text)).toEqual(expect.arrayContaining(['BOOM.', 'Int the roof is flat.']));
  });

  test('nothing written yet: Fountain/FDX refuse clearly, Markdown shows the plan', () => {
    const plan = { logline: memory.logline, outline: { acts: [{ title: 'One', beats: [{ number: 1, summary: 'Mara wakes.', characters: ['Mara'], location: 'Kitchen' }] }] } };
    for (const format of ['fountain', 'fdx'] as const) {
      try {
        renderDocument(format, plan);
        throw new Error('expected a refusal');
      } catch (error) {
        expect(isStoryloomError(error, 'invalid_input')).toBe(true);
        expect((error as Error).message).toMatch(/no 'dialogue' or 'draft'/);
      }
    }
    expect(renderDocument('markdown', plan).content).toContain('1. Mara wakes.');
  });

  test('an unknown format is refused', () => {
    expect(() => renderDocument('pdf' as never, memory)).toThrow(/unknown export format 'pdf'/);
    expect(EXPORT_FORMATS).toEqual(['fountain', 'fdx', 'markdown', 'json']);
  });
});
