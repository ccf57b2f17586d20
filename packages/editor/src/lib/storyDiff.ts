// Comparisons made for stories, with the `diff` library doing the diffing: screenplay and prose scene by
// scene with word-level changes, the cast character by character and field by field, the outline beat by
// beat, scene cards card by card; anything else line by line. Unchanged parts are kept (folded by the view)
// so a producer sees where in the story each change sits.
import { diffWords, type Change } from 'diff';
import type { DialogueScene } from '@storyloom/engine';

export type SectionStatus = 'same' | 'changed' | 'added' | 'removed';

export interface DiffField {
  label: string;
  before: string;
  after: string;
  changed: boolean;
}

export interface DiffSection {
  title: string;
  status: SectionStatus;
  fields: DiffField[];
}

export interface StoryDiff {
  sections: DiffSection[];
  /** How many sections changed, were added or removed. */
  changedCount: number;
  /** What a section is called, for the summary ("scene", "character"). */
  unit: string;
}

/** What renders a screenplay scene as text (the engine's own, passed in so this module stays light). */
export type SceneText = (scene: DialogueScene) => string;

export type Keyed = { key: string; title: string; fields: Record<string, string> };

/** Which fields changed is known at once (text equality); the word-level changes are worked out when shown. */
function field(label: string, before: string, after: string): DiffField {
  return { label, before, after, changed: before !== after };
}

/**
 * Beyond this many word edits a text was rewritten rather than edited: it shows as replaced, and the diff's
 * cost stays bounded (Myers' algorithm is quadratic in the edits between two unrelated texts).
 */
const MAX_WORD_EDITS = 120;
const wordCache = new WeakMap<DiffField, Change[]>();

/** The word-level changes of a field (whole texts replaced when they share too little to align). */
export function wordChanges(field: DiffField): Change[] {
  let changes = wordCache.get(field);
  if (!changes) {
    changes = !field.changed
      ? [{ value: field.after, added: false, removed: false, count: 1 }]
      : !shareEnough(field.before, field.after)
        ? replaced(field.before, field.after)
        : (diffWords(field.before, field.after, { maxEditLength: MAX_WORD_EDITS }) ?? replaced(field.before, field.after));
    wordCache.set(field, changes);
  }
  return changes;
}

/** Whether two texts share enough words to be worth aligning (a linear check before the quadratic one). */
function shareEnough(before: string, after: string): boolean {
  const words = (text: string) => text.toLowerCase().split(/\W+/).filter(Boolean);
  const old = new Set(words(before));
  const next = words(after);
  if (old.size === 0 || next.length === 0) return true;
  const shared = next.filter((word) => old.has(word)).length;
  return shared / next.length >= 0.5;
}

function replaced(before: string, after: string): Change[] {
  return [
    ...(before ? [{ value: before, added: false, removed: true, count: 1 }] : []),
    ...(after ? [{ value: after, added: true, removed: false, count: 1 }] : []),
  ];
}

/**
 * Pairs items by key (a scene's number, a character's name) in the newer order; a removed item shows where it
 * was, before whatever took its place.
 */
export function compareKeyed(before: Keyed[], after: Keyed[], unit: string): StoryDiff {
  const old = new Map(before.map((item, index) => [item.key, index]));
  const kept = new Set(after.map((item) => item.key));
  const emitted = new Set<number>();
  const sections: DiffSection[] = [];
  const emitRemoved = (index: number) => {
    emitted.add(index);
    const item = before[index];
    sections.push({ title: item.title, status: 'removed', fields: Object.entries(item.fields).map(([label, text]) => field(label, text, '')) });
  };
  let lastOld = -1;
  /** Removed items from the old list up to `until` (exclusive) that have not been shown yet. */
  const flushRemoved = (until: number) => {
    for (let i = 0; i < until; i++) if (!emitted.has(i) && !kept.has(before[i].key)) emitRemoved(i);
  };
  for (const item of after) {
    const index = old.get(item.key);
    if (index === undefined) {
      // Whatever was removed right after the last kept item was replaced by this one: show it first.
      let next = lastOld + 1;
      while (next < before.length && !kept.has(before[next].key)) next++;
      flushRemoved(next);
      sections.push({ title: item.title, status: 'added', fields: Object.entries(item.fields).map(([label, text]) => field(label, '', text)) });
      continue;
    }
    flushRemoved(index);
    lastOld = index;
    const previous = before[index];
    const labels = [...new Set([...Object.keys(previous.fields), ...Object.keys(item.fields)])];
    const fields = labels.map((label) => field(label, previous.fields[label] ?? '', item.fields[label] ?? ''));
    sections.push({ title: item.title, status: fields.some((f) => f.changed) ? 'changed' : 'same', fields });
  }
  flushRemoved(before.length);
  return { sections, unit, changedCount: sections.filter((s) => s.status !== 'same').length };
}

const text = (value: unknown) => (value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value));
const list = (value: unknown, key: string): Record<string, unknown>[] => {
  const items = (value as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(items) ? (items as Record<string, unknown>[]) : [];
};

function byFields(item: Record<string, unknown>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, text(item[key])]));
}

const FOUNTAIN_HEADING = /^(\.(?!\.)|(INT|EXT|EST|INT\.?\/EXT|I\/E)[. ])/i;
const MARKDOWN_HEADING = /^#{1,3} /;

/** A document split at its scene headings (the title page and anything before the first scene first). */
function documentScenes(source: string, headingPattern: RegExp): Keyed[] {
  const scenes: Keyed[] = [];
  let current: Keyed = { key: 'front', title: 'Title page', fields: { text: '' } };
  for (const line of source.split('\n')) {
    if (headingPattern.test(line.trim())) {
      scenes.push(current);
      const heading = line.trim().replace(/^(\.|#+ )/, '');
      const count = scenes.filter((s) => s.title === heading).length;
      current = { key: count ? `${heading}#${count}` : heading, title: heading, fields: { text: '' } };
    }
    current.fields.text += `${line}\n`;
  }
  scenes.push(current);
  return scenes.filter((scene) => scene.fields.text.trim() !== '');
}

/** The comparison of two outputs of one node of `type`. */
export function storyDiff(type: string | undefined, before: unknown, after: unknown, sceneText?: SceneText): StoryDiff {
  const has = (key: string) => list(before, key).length + list(after, key).length > 0;
  if (typeof before === 'string' && typeof after === 'string') {
    const pattern = MARKDOWN_HEADING.test(before) || /\n#{1,3} /.test(before) ? MARKDOWN_HEADING : FOUNTAIN_HEADING;
    return compareKeyed(documentScenes(before, pattern), documentScenes(after, pattern), 'scene');
  }
  // An exported document: its text, scene by scene.
  const contentOf = (value: unknown) => (value as { content?: unknown } | undefined)?.content;
  if (typeof contentOf(before) === 'string' && typeof contentOf(after) === 'string') return storyDiff(type, contentOf(before), contentOf(after), sceneText);
  if (has('characters') && type !== 'scenes') {
    const keyed = (value: unknown) =>
      list(value, 'characters').map((c, i) => ({ key: String(c.name ?? i), title: String(c.name || `Character ${i + 1}`), fields: byFields(c, ['role', 'description', 'want', 'flaw', 'voice']) }));
    return compareKeyed(keyed(before), keyed(after), 'character');
  }
  if (has('acts')) {
    const keyed = (value: unknown) =>
      list(value, 'acts').flatMap((act, a) =>
        list(act, 'beats').map((beat) => ({ key: `${beat.number}`, title: `Act ${a + 1} · beat ${beat.number}`, fields: { summary: text(beat.summary) } })),
      );
    return compareKeyed(keyed(before), keyed(after), 'beat');
  }
  if (has('passages')) {
    const keyed = (value: unknown) =>
      list(value, 'passages').map((p) => ({ key: `${p.number}`, title: `Scene ${p.number}${p.title ? ` · ${p.title}` : ''}`, fields: { text: text(p.text) } }));
    return compareKeyed(keyed(before), keyed(after), 'scene');
  }
  if (has('scenes')) {
    const isScreenplay = [...list(before, 'scenes'), ...list(after, 'scenes')].some((s) => Array.isArray(s.elements));
    const keyed = (value: unknown) =>
      list(value, 'scenes').map((s) => ({
        key: `${s.number}`,
        title: `Scene ${s.number}${s.heading ? ` · ${s.heading}` : ''}`,
        fields:
          isScreenplay && sceneText
            ? { text: sceneText(s as unknown as DialogueScene) }
            : byFields(s, ['heading', 'location', 'characters', 'beat', 'summary']),
      }));
    return compareKeyed(keyed(before), keyed(after), 'scene');
  }
  if (has('locations')) {
    const world = (value: unknown) => ({ key: '#world', title: 'World', fields: byFields((value ?? {}) as Record<string, unknown>, ['world', 'period']) });
    const keyed = (value: unknown) => [
      world(value),
      ...list(value, 'locations').map((l, i) => ({ key: String(l.name ?? i), title: String(l.name || `Location ${i + 1}`), fields: { ...byFields(l, ['description']), interior: l.interior ? 'interior' : 'exterior' } })),
    ];
    return compareKeyed(keyed(before), keyed(after), 'part');
  }
  const whole = field('', asText(before), asText(after));
  return { unit: 'output', changedCount: whole.changed ? 1 : 0, sections: [{ title: 'Output', status: whole.changed ? 'changed' : 'same', fields: [whole] }] };
}

function asText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}
