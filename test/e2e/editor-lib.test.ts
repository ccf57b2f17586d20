// The editor's own small algorithms, checked directly: story diffs (scene, character, beat and pipeline
// comparisons), draft checks worded for a producer, the Fountain reader behind the screenplay page, and the
// wrapping of a laid-out pipeline onto rows, and the run figures (tokens, cost, who started it).
import * as engine from '../../packages/engine/src/index';
import { checkDraft, producerMessage } from '../../packages/editor/src/lib/draftCheck';
import { emphasisRuns, parseFountain } from '../../packages/editor/src/lib/fountain';
import { layersOf, wrapIntoRows, ROW_GAP, type Box } from '../../packages/editor/src/graph/rows';
import { fitZoom, LEGIBLE_ZOOM, readableViewport } from '../../packages/editor/src/graph/viewport';
import { pipelineDiff } from '../../packages/editor/src/lib/pipelineDiff';
import { recordApprovalEvent, type ApprovalHistory } from '../../packages/editor/src/store/approvalHistory';
import { actorLabel, figuresLine, formatCost, runCost, runTokens } from '../../packages/editor/src/lib/runFigures';
import { setAt } from '../../packages/editor/src/lib/pointer';
import { storyDiff, wordChanges } from '../../packages/editor/src/lib/storyDiff';

const character = (name: string, flaw = 'Proud.') => ({
  name,
  role: 'ally',
  description: 'A friend.',
  want: 'Peace.',
  flaw,
  voice: 'Quiet.',
  pronouns: 'she/her',
  age: 'forty',
  relationships: 'An old friend of the lead.',
  sampleLine: 'Not today.',
});
const scene = (number: number, line: string) => ({
  number,
  heading: `INT. ROOM ${number} - DAY`,
  elements: [
    { type: 'action', text: 'Rain on the window.' },
    { type: 'line', character: 'MARA', parenthetical: null, text: line },
  ],
});

describe('story diffs', () => {
  test('a screenplay compares scene by scene with word-level changes', () => {
    const before = { scenes: [scene(1, 'I never left.'), scene(2, 'Go home.'), scene(3, 'Stay.')] };
    const after = { scenes: [scene(1, 'I never left.'), scene(2, 'Go home now, Tomas.'), scene(4, 'New.')] };
    const diff = storyDiff('dialogue', before, after, engine.screenplaySceneText);
    expect(diff.unit).toBe('scene');
    expect(diff.sections.map((s) => [s.title.split(' · ')[0], s.status])).toEqual([
      ['Scene 1', 'same'],
      ['Scene 2', 'changed'],
      ['Scene 3', 'removed'],
      ['Scene 4', 'added'],
    ]);
    expect(diff.changedCount).toBe(3);
    const changes = wordChanges(diff.sections[1].fields[0]);
    // Words, not lines: only the inserted words are marked, the rest of the line stays as it was.
    expect(changes.filter((c) => c.added).map((c) => c.value.trim())).toEqual(['now, Tomas']);
    expect(changes.filter((c) => c.removed)).toEqual([]);
    expect(changes.filter((c) => !c.added && !c.removed).map((c) => c.value).join('')).toContain('Go home');
    // Texts rewritten from end to end show as replaced rather than as a confetti of word matches.
    const rewritten = storyDiff('dialogue', { scenes: [scene(1, 'alpha '.repeat(200))] }, { scenes: [scene(1, 'omega '.repeat(200))] }, engine.screenplaySceneText);
    const whole = wordChanges(rewritten.sections[0].fields[0]);
    expect(whole.filter((c) => c.removed)).toHaveLength(1);
    expect(whole.filter((c) => c.added)).toHaveLength(1);
  });

  test('characters compare by name, field by field', () => {
    const diff = storyDiff('characters', { characters: [character('Mara'), character('Ravi')] }, { characters: [character('Mara', 'Vain.'), character('Greta')] });
    expect(diff.sections.map((s) => [s.title, s.status])).toEqual([
      ['Mara', 'changed'],
      ['Ravi', 'removed'],
      ['Greta', 'added'],
    ]);
    expect(diff.sections[0].fields.filter((f) => f.changed).map((f) => f.label)).toEqual(['flaw']);
  });

  test('the outline compares beat by beat; a Fountain script by its scene headings', () => {
    const outline = (summary: string) => ({ acts: [{ title: 'One', beats: [{ number: 1, summary: 'Start.' }, { number: 2, summary }] }] });
    const beats = storyDiff('outline', outline('The storm.'), outline('The long storm.'));
    expect(beats.sections.map((s) => s.status)).toEqual(['same', 'changed']);
    const script = (line: string) => `Title: T\n\nINT. A - DAY\n\nRain.\n\nEXT. B - NIGHT\n\n${line}\n`;
    const fountain = storyDiff('export', { content: script('Wind.') }, { content: script('Snow.') });
    expect(fountain.sections.map((s) => [s.title, s.status])).toEqual([
      ['Title page', 'same'],
      ['INT. A - DAY', 'same'],
      ['EXT. B - NIGHT', 'changed'],
    ]);
  });

  test('pipeline versions compare nodes, connections and config', () => {
    const base = { format: 'storyloom/pipeline@1', id: 'p', name: 'P', nodes: [{ id: 'a', type: 'logline' }, { id: 'b', type: 'characters', config: { count: 3 } }], edges: [{ source: 'a', target: 'b' }] } as any;
    const next = { ...base, nodes: [{ id: 'a', type: 'logline' }, { id: 'b', type: 'characters', config: { count: 5 } }, { id: 'c', type: 'setting' }], edges: [{ source: 'a', target: 'c' }] };
    const diff = pipelineDiff(base, next);
    const statusOf = (title: string) => diff.sections.find((s) => s.title === title)?.status;
    expect(statusOf("Node b")).toBe('changed');
    expect(diff.sections.find((s) => s.title === 'Node b')!.fields.filter((f) => f.changed).map((f) => f.label)).toEqual(['config.count']);
    expect(statusOf('Node c')).toBe('added');
    expect(statusOf('Connection a → b')).toBe('removed');
    expect(statusOf('Connection a → c')).toBe('added');
    expect(statusOf('Node a')).toBe('same');
  });
});

describe('draft checks in a producer\'s words', () => {
  test('problems name the character and field, keyed by JSON pointer, as the server would refuse them', () => {
    const cast = { characters: [character('Mara'), character('')] };
    expect(checkDraft({ type: 'characters' }, cast)).toEqual([{ pointer: '/characters/1/name', message: 'Character 2: the name is empty: write something here' }]);
    const tooMany = { characters: Array.from({ length: 13 }, (_, i) => character(`C${i}`)) };
    expect(checkDraft({ type: 'characters' }, tooMany)[0].message).toBe('Too many characters: at most 12');
    expect(checkDraft({ type: 'characters' }, { characters: [{ ...character('A'), height: 3 }] })[0].message).toMatch(/^Character 1: has field this stage does not use: height/);
    expect(checkDraft({ type: 'characters' }, { characters: [character('Mara')] })).toEqual([]);
  });

  test('wording for missing values and wrong types', () => {
    expect(producerMessage({ code: 'invalid_type', path: ['acts', 0, 'beats', 2, 'number'], message: '', expected: 'number', input: 'x' })).toBe('Act 1, beat 3: the number should be a number');
    expect(producerMessage({ code: 'invalid_type', path: ['world'], message: '', expected: 'string' })).toBe('The world is missing');
  });

  test('pointer updates are immutable', () => {
    const before = { characters: [{ name: 'A' }] };
    const after = setAt(before, ['characters', 0, 'name'], 'B') as typeof before;
    expect(after.characters[0].name).toBe('B');
    expect(before.characters[0].name).toBe('A');
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

describe('wrapping a layout onto rows', () => {
  // A left-to-right layout as the layered algorithm gives it: 200×70 nodes, 240 between layers, the second
  // layer holding two parallel nodes.
  const layered = (layers: string[][]) =>
    new Map<string, Box>(layers.flatMap((ids, layer) => ids.map((id, i) => [id, { x: layer * 240, y: i * 100 + (ids.length === 1 ? 50 : 0), width: 200, height: 70 }] as const)));
  const seven = layered([['logline'], ['cast', 'world'], ['beats'], ['scenes'], ['lines'], ['script']]);
  const extent = (positions: Map<string, { x: number; y: number }>) => ({
    width: Math.max(...[...positions.values()].map((p) => p.x + 200)) - Math.min(...[...positions.values()].map((p) => p.x)),
    height: Math.max(...[...positions.values()].map((p) => p.y + 70)) - Math.min(...[...positions.values()].map((p) => p.y)),
  });

  test('layers are the columns of the layout, parallel nodes together', () => {
    expect(layersOf(seven)).toEqual([['logline'], ['cast', 'world'], ['beats'], ['scenes'], ['lines'], ['script']]);
  });

  test('a graph that fits the pane on one row stays as laid out', () => {
    const positions = wrapIntoRows(seven, { width: 2000, height: 900 });
    expect([...positions].map(([id, p]) => [id, p.x, p.y])).toEqual([...seven].map(([id, box]) => [id, box.x, box.y]));
  });

  test('a narrow pane wraps the story onto rows that keep its order and fit larger', () => {
    const pane = { width: 672, height: 642 }; // the canvas beside the panels at 1280×720
    const positions = wrapIntoRows(seven, pane);
    const rowOf = (id: string) => Math.round(positions.get(id)!.y / 100);
    // Two rows of three layers: the second row starts at the left again, below the first with a gap.
    expect(['logline', 'cast', 'beats'].map((id) => positions.get(id)!.x)).toEqual([0, 240, 480]);
    expect(['scenes', 'lines', 'script'].map((id) => positions.get(id)!.x)).toEqual([0, 240, 480]);
    expect(positions.get('scenes')!.y).toBe(170 + ROW_GAP);
    expect(rowOf('logline')).toBeLessThan(rowOf('scenes'));
    // Parallel nodes keep their places relative to each other.
    expect(positions.get('world')!.y - positions.get('cast')!.y).toBe(100);
    expect(fitZoom(extent(positions), pane)).toBeGreaterThanOrEqual(LEGIBLE_ZOOM);
    expect(fitZoom(extent(seven), pane)).toBeLessThan(0.45);
  });
});

describe('the view a graph is fitted to', () => {
  // A graph of two rows, 680 × 320 in flow units, starting at (0, 0).
  const graph = { x: 0, y: 0, width: 680, height: 320 };
  const onScreen = (view: { x: number; y: number; zoom: number }, rect: { x: number; y: number; width: number; height: number }) => ({
    left: view.x + rect.x * view.zoom,
    right: view.x + (rect.x + rect.width) * view.zoom,
    top: view.y + rect.y * view.zoom,
    bottom: view.y + (rect.y + rect.height) * view.zoom,
  });

  test('a graph that fits at a legible zoom is shown whole and centred', () => {
    const view = readableViewport(graph, { width: 900, height: 600 });
    expect(view.zoom).toBeCloseTo(Math.min(1, 820 / 680, 520 / 320));
    const shown = onScreen(view, graph);
    expect(shown.left).toBeCloseTo(900 - shown.right);
    expect(shown.top).toBeCloseTo(600 - shown.bottom);
  });

  test('a pane too narrow for the whole graph keeps the legible zoom and shows the graph from its start', () => {
    const view = readableViewport(graph, { width: 460, height: 600 });
    expect(view.zoom).toBe(LEGIBLE_ZOOM);
    expect(onScreen(view, graph).left).toBe(40);
  });

  test('a focus is centred where the graph does not fit, but the view never runs past the graph', () => {
    const pane = { width: 460, height: 600 };
    const middle = { x: 240, y: 0, width: 200, height: 96 };
    const centred = onScreen(readableViewport(graph, pane, undefined, middle), middle);
    expect(centred.left).toBeCloseTo(460 - centred.right);
    // The height fits: that axis stays centred on the whole graph, whatever the focus.
    const whole = onScreen(readableViewport(graph, pane, undefined, middle), graph);
    expect(whole.top).toBeCloseTo(600 - whole.bottom);
    // A focus at the graph's far end brings its end in at the padding, not further.
    const last = { x: 480, y: 0, width: 200, height: 96 };
    expect(onScreen(readableViewport(graph, pane, undefined, last), graph).right).toBeCloseTo(460 - 40);
    const first = { x: 0, y: 0, width: 200, height: 96 };
    expect(onScreen(readableViewport(graph, pane, undefined, first), graph).left).toBeCloseTo(40);
  });

  test('with a lower least zoom, a pane too narrow for a legible fit shows the whole graph, centred', () => {
    const view = readableViewport(graph, { width: 460, height: 600 }, undefined, undefined, 0.05);
    expect(view.zoom).toBeCloseTo(380 / 680);
    const shown = onScreen(view, graph);
    expect(shown.left).toBeCloseTo(40);
    expect(shown.right).toBeCloseTo(460 - 40);
    expect(shown.top).toBeCloseTo(600 - shown.bottom);
  });

  test('a focus wider than the pane is shown from its start', () => {
    const wide = { x: 240, y: 0, width: 440, height: 96 };
    const view = readableViewport(graph, { width: 300, height: 600 }, undefined, wide);
    expect(onScreen(view, wide).left).toBeCloseTo(40);
  });
});

describe('run figures', () => {
  const usage = (totalTokens: number, costUsd?: number): engine.TokenUsage => ({ inputTokens: 0, outputTokens: totalTokens, totalTokens, calls: 1, ...(costUsd !== undefined ? { costUsd } : {}) });
  const nodes = (entries: Array<engine.TokenUsage | undefined>) =>
    Object.fromEntries(entries.map((u, i) => [`n${i}`, { status: 'completed' as const, ...(u ? { usage: u } : {}) }]));

  test('tokens and cost: the run total when the server gives one, else the sum of the nodes', () => {
    const unpriced = { nodes: nodes([usage(100), usage(50), undefined]) };
    expect(runTokens(unpriced)).toBe(150);
    expect(runCost(unpriced)).toEqual({});
    const priced = { nodes: nodes([usage(100, 0.002), usage(50), usage(10, 0.0005)]) };
    expect(runCost(priced).costUsd).toBeCloseTo(0.0025, 10);
    // Every attempt counted: the run's own total wins over its nodes' current figures.
    const totalled = { ...priced, usage: usage(400, 0.01) };
    expect(runTokens(totalled)).toBe(400);
    expect(runCost(totalled)).toEqual({ costUsd: 0.01 });
    // A call on a model without a price: the cost is a lower bound.
    const partly = { nodes: nodes([usage(100, 0.002), { ...usage(50), unpriced: true }]) };
    expect(runCost(partly)).toEqual({ costUsd: 0.002, unpriced: true });
    expect(figuresLine({ tokens: 150, ...runCost(partly) })).toBe('150 tokens · ≥ $0.0020');
  });

  test('cost reads in dollars, small amounts with two significant figures; unknown parts are left out', () => {
    expect([0, 0.0042, 0.01, 0.128, 3].map((usd) => formatCost(usd))).toEqual(['$0.00', '$0.0042', '$0.01', '$0.13', '$3.00']);
    expect(figuresLine({ ms: 1500, tokens: 1234, costUsd: 0.0042 })).toBe('1.5 s · 1,234 tokens · $0.0042');
    expect(figuresLine({ ms: 20 })).toBe('20 ms');
    expect(figuresLine({})).toBe('');
  });

  test('who started a run, by name and role', () => {
    expect(actorLabel({ id: 'u1', name: 'Ana Ruiz', role: 'editor' })).toBe('Ana Ruiz (editor)');
    expect(actorLabel(undefined)).toBeUndefined();
  });
});

describe('approval history', () => {
  const event = (seq: number, type: string, data: Record<string, unknown>) => ({ seq, runId: 'r', type, nodeId: 'cast', at: '2026-01-01T00:00:00Z', data }) as any;
  const fold = (events: unknown[]) => events.reduce<ApprovalHistory>((history, e) => recordApprovalEvent(history, e as any), {});

  test('drafts asked about count as attempts, with the feedback a rejected one got', () => {
    const history = fold([
      event(1, 'approval.requested', { attempt: 1, draft: { characters: [] } }),
      event(2, 'approval.resolved', { attempt: 1, decision: 'reject', feedback: 'Older.' }),
      event(3, 'approval.requested', { attempt: 2, draft: { characters: [{ name: 'Ana' }] } }),
    ]);
    expect(history.cast.map((a) => [a.attempt, a.decision, a.feedback])).toEqual([
      [1, 'reject', 'Older.'],
      [2, undefined, undefined],
    ]);
  });

  test('a budget check before the node is not one of its drafts', () => {
    const history = fold([
      event(1, 'approval.requested', { attempt: 1, kind: 'budget', draft: { budget: { maxTokens: 10 } } }),
      event(2, 'approval.resolved', { attempt: 1, kind: 'budget', decision: 'approve' }),
      event(3, 'approval.requested', { attempt: 1, draft: { characters: [] } }),
    ]);
    expect(history.cast).toEqual([{ attempt: 1, draft: { characters: [] } }]);
  });
});
