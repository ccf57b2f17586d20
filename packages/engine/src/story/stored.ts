// Story outputs stored before the story bible grew richer (character sheets without pronouns, age, ties or a
// sample line; outline beats without characters or place; scene cards without act, goal, conflict, turn,
// outcome or sub-beats; review notes as plain strings) still read: what is missing is filled from what the
// older output does say, so a rerun, an export or a run view of an old run works. Only stored outputs go
// through here; a model's output is still checked against the current schema as it is.
import type { z } from 'zod';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);
/** An object with the given defaults for the keys it lacks (present keys, even odd ones, are left as they are). */
const withDefaults = (value: Json, defaults: Json): Json => ({ ...defaults, ...value });

/** Said where an older output recorded nothing: readable in a prompt or a form, and plainly not invented. */
export const NOT_RECORDED = 'not recorded';

/** The pronouns an older character sheet implies by its own words, else the neutral ones. */
function pronounsIn(sheet: Json): string {
  const words = `${text(sheet.description) ?? ''} ${text(sheet.want) ?? ''} ${text(sheet.flaw) ?? ''}`.toLowerCase();
  const count = (pattern: RegExp) => (words.match(pattern) ?? []).length;
  const she = count(/\b(she|her|hers|herself|woman|girl|mother|daughter|sister|wife)\b/g);
  const he = count(/\b(he|him|his|himself|man|boy|father|son|brother|husband)\b/g);
  if (she > he) return 'she/her';
  if (he > she) return 'he/him';
  return 'they/them';
}

function upgradeCharacter(sheet: unknown): unknown {
  if (!isObject(sheet) || !text(sheet.name)) return sheet;
  return withDefaults(sheet, {
    pronouns: pronounsIn(sheet),
    age: NOT_RECORDED,
    relationships: NOT_RECORDED,
    sampleLine: NOT_RECORDED,
  });
}

/** A beat's place and people were not kept: the cards built from it find them in its text, else in turn. */
function upgradeBeat(beat: unknown): unknown {
  if (!isObject(beat) || !text(beat.summary)) return beat;
  return withDefaults(beat, { characters: [], location: NOT_RECORDED });
}

/** The act of the scene at `index` of `count` when none was kept: the usual three-act proportions. */
function actOfPosition(index: number, count: number): number {
  const position = count <= 1 ? 0 : index / count;
  return position < 0.25 ? 1 : position < 0.75 ? 2 : 3;
}

function upgradeSceneCard(card: unknown, index: number, count: number): unknown {
  if (!isObject(card) || !text(card.beat) || !text(card.summary)) return card;
  const beat = text(card.beat)!;
  const summary = text(card.summary)!;
  return withDefaults(card, {
    act: actOfPosition(index, count),
    goal: NOT_RECORDED,
    conflict: NOT_RECORDED,
    turn: NOT_RECORDED,
    outcome: summary,
    subBeats: beat === summary ? [beat, NOT_RECORDED] : [beat, summary],
  });
}

const upgradeNote = (note: unknown): unknown => (typeof note === 'string' ? { scene: null, note } : note);

function upgradeNotes(value: Json): Json {
  return Array.isArray(value.notes) ? { ...value, notes: value.notes.map(upgradeNote) } : value;
}

function upgradeReview(review: Json): Json {
  const upgraded = upgradeNotes(review);
  if (isObject(upgraded.rubric)) upgraded.rubric = withDefaults(upgraded.rubric, { storyText: true, beatsMissed: [], notes: [] });
  if (Array.isArray(upgraded.passes)) upgraded.passes = upgraded.passes.map((pass) => (isObject(pass) ? withDefaults(upgradeNotes(pass), { resolved: [], unresolved: [] }) : pass));
  return withDefaults(upgraded, { policy: [] });
}

/** The older story output in today's shape, recognised by its own keys; anything else comes back unchanged. */
export function upgradeOlderStoryShape(value: unknown): unknown {
  if (!isObject(value)) return value;
  if (Array.isArray(value.characters)) return { ...value, characters: value.characters.map(upgradeCharacter) };
  if (Array.isArray(value.acts)) {
    return { ...value, acts: value.acts.map((act) => (isObject(act) && Array.isArray(act.beats) ? { ...act, beats: act.beats.map(upgradeBeat) } : act)) };
  }
  if (Array.isArray(value.scenes)) {
    const scenes = value.scenes;
    return { ...value, scenes: scenes.map((card, index) => upgradeSceneCard(card, index, scenes.length)) };
  }
  if (isObject(value.rubric) && Array.isArray(value.passes)) return upgradeReview(value);
  return value;
}

/**
 * A stored output read against `schema`: as it is when it fits, else in today's shape when the upgrade makes it
 * fit. Otherwise the first (unchanged) failure, so the error names what is really wrong.
 */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown): ReturnType<z.ZodType<T>['safeParse']> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed;
  const upgraded = schema.safeParse(upgradeOlderStoryShape(value));
  return upgraded.success ? upgraded : parsed;
}

/** A stored output in today's shape when `schema` reads it only so; else unchanged. */
export function storedInCurrentShape(schema: z.ZodType<unknown>, value: unknown): unknown {
  const parsed = parseStored(schema, value);
  return parsed.success ? parsed.data : value;
}
