// Continuity facts the story must keep: deaths and departures for good, injuries, the state of objects, who knows
// what, ties between people, the story's clock, and how each scene leaves things. A model reads them from the
// plan and from each written scene; without one (and always, as a safety net) the heuristics here read the plain
// statements. The same readers interpret every fact, whoever wrote it, so the writers, the judge and the checks
// agree on who is gone, what is destroyed and what day it is.
import type { Character, ContinuityFact, ContinuityKind, SceneCard } from './types';
import { castNamedIn, findByName } from './names';

export type { ContinuityFact } from './types';

const DEATH = /\b(dies|died|is killed|was killed|is dead|was dead|drowns|drowned|is shot dead|was shot dead|is murdered|was murdered|breathes (?:his|her|their) last|lies dead)\b/i;
/** Words that take a statement back (a rumour, a dream, a near miss, a plan), so it settles nothing. */
const HEDGE = /\b(not|never|almost|nearly|if|would|could|might|dream\w*|pretend\w*|fake\w*|rumou?r\w*|thought|believed|says? (?:he|she|they) (?:is|was)|threatens?|plans? to|wants? to|tries to|pretends?)\b/i;
/** "Never to return" is a hedge word but the very point of a departure for good. */
const FOR_GOOD = /\b(for good|forever|for ever|never (?:to )?(?:return|come back|be seen again)|never returns?|never comes? back|is gone for good)\b/i;
const LEAVES = /\b(leaves|left|walks out|sails away|boards the (?:last )?(?:ferry|train|bus|boat)|moves away|disappears|vanishes)\b/i;
const INJURY = /\b(breaks (?:his|her|their) (?:arm|leg|wrist|hand|ankle|ribs?|nose)|is (?:wounded|injured|stabbed|shot|burned|blinded|hurt)|was (?:wounded|injured|stabbed|shot|burned|blinded)|sprains|cuts (?:his|her|their) (?:hand|arm|face)|limps|bleeds)\b/i;
const KNOWS = /\b(learns|learned|discovers|discovered|finds out|found out|realises|realizes|overhears|overheard|is told|was told|reads the truth)\b/i;
const TIES = /\b(reconcile|reconciles|make up|makes up|fall out|falls out|quarrel|quarrels|split up|splits up|break up|breaks up|marry|marries|married|kiss|kisses|betrays?|betrayed|forgives?|forgave|part ways|parts ways|becomes? (?:friends|allies|enemies|lovers))\b/i;

/** An object going out of the story: burned, smashed, sunk. What a later scene must not pick up again. */
export const DESTROYED = /\b(burns?|burned|burnt|destroys?|destroyed|smash(?:es|ed)?|shatter(?:s|ed)?|tears? up|tore up|rips? up|ripped up|shred(?:s|ded)?|sinks?|sank|sunk|crush(?:es|ed)|snaps?|snapped|throws? (?:it )?(?:into|in) the (?:sea|fire|river|stove|furnace)|is gone for good)\b/;
const OBJECT_CHANGE = new RegExp(`${DESTROYED.source}\\s+(?:(?:the|his|her|their|its|my|your|our)\\s+)([\\p{Ll}'-]+(?:\\s+[\\p{Ll}'-]+){0,2})`, 'iu');
const HANDED = /\b(gives|gave|hands|handed|passes|passed|returns|returned)\s+(?:the|his|her|their)\s+([\p{Ll}'-]+(?:\s+[\p{Ll}'-]+){0,2})\s+to\s+([\p{Lu}][\p{L}'-]+)/u;
/** Words after which an object phrase has ended ("burns the letter in the stove" → "the letter"). */
const PHRASE_END = /^(in|into|on|at|with|to|from|and|before|after|while|as|until|over|under|for|then|that|which|so|but|or|he|she|they|it)$/i;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean);
}

function objectPhrase(words: string): string {
  const kept: string[] = [];
  for (const word of words.split(/\s+/)) {
    if (PHRASE_END.test(word)) break;
    kept.push(word.toLowerCase());
  }
  return `the ${kept.join(' ')}`;
}

/** The last word of an object phrase: what a later sentence names it by ("the torn photograph" → "photograph"). */
export function headNoun(object: string): string {
  return object.trim().split(/\s+/).pop()!.toLowerCase();
}

/** Cast members a sentence plainly says are dead: one named subject and a death verb, nothing hedging it. */
export function deathsIn(text: string, cast: readonly Character[]): string[] {
  const dead = new Set<string>();
  for (const sentence of sentencesOf(text)) {
    if (!DEATH.test(sentence) || HEDGE.test(sentence)) continue;
    const named = castNamedIn(sentence, cast);
    if (named.length === 1) dead.add(named[0].name);
  }
  return [...dead];
}

// ---- the story's clock ----

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const COUNTS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, 'a couple of': 2, 'a few': 3, several: 4 };
const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };
const COUNT = '(\\d+|a couple of|a few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten)';
const LATER = new RegExp(`\\b${COUNT} (day|week|month|year)s? later\\b`, 'i');
const EARLIER = new RegExp(`\\b${COUNT} (day|week|month|year)s? (?:earlier|before)\\b`, 'i');
const NEXT_DAY = /\b(the next (?:day|morning|evening|night|afternoon)|the following (?:day|morning|evening|night|afternoon)|next morning|overnight|the morning after|at dawn the next day)\b/i;
const DAY_BEFORE = /\b(the (?:day|night|evening|morning) before|the previous (?:day|night|evening|morning))\b/i;
const FLASHBACK = /\bflash ?back\b/i;
const DAY_NUMBER = /\bday (\d{1,3})\b/i;
const WEEKDAY = /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i;

/** When a scene happens, as one text states it: days moved (or the day number, or the weekday), or a flashback. */
export interface TimeMarker {
  phrase: string;
  delta?: number;
  day?: number;
  weekday?: number;
  flashback?: boolean;
}

function counted(count: string, unit: string): number {
  const n = /^\d+$/.test(count) ? Number(count) : COUNTS[count.toLowerCase()] ?? 1;
  return n * UNIT_DAYS[unit.toLowerCase()];
}

/** A sentence that is nothing but a time card ("The night before.", "Two days earlier"). */
function isTimeCard(sentence: string, phrase: string): boolean {
  return sentence.replace(/[.!?:,\s]+$/, '').trim().toLowerCase() === phrase.toLowerCase();
}

/**
 * The time marker of a text. In running narration (`anywhere` false) a step back in time counts only as a sentence
 * of its own, a time card ("The night before."), since backstory ("The night before, she had packed.") is told
 * anywhere; a fact about time is all marker, so any step back in it counts.
 */
export function timeMarker(text: string, anywhere = true): TimeMarker | undefined {
  if (FLASHBACK.test(text)) return { phrase: 'flashback', flashback: true };
  for (const part of anywhere ? [text] : sentencesOf(text)) {
    const earlier = EARLIER.exec(part);
    if (earlier && (anywhere || isTimeCard(part, earlier[0]))) return { phrase: earlier[0], delta: -counted(earlier[1], earlier[2]) };
    const before = DAY_BEFORE.exec(part);
    if (before && (anywhere || isTimeCard(part, before[0]))) return { phrase: before[0], delta: -1 };
  }
  const later = LATER.exec(text);
  if (later) return { phrase: later[0], delta: counted(later[1], later[2]) };
  const next = NEXT_DAY.exec(text);
  if (next) return { phrase: next[0], delta: 1 };
  const day = DAY_NUMBER.exec(text);
  if (day) return { phrase: day[0], day: Number(day[1]) };
  const weekday = WEEKDAY.exec(text);
  if (weekday) return { phrase: weekday[0], weekday: WEEKDAYS.indexOf(weekday[1].toLowerCase()) };
  return undefined;
}

export interface SceneTime {
  scene: number;
  /** The story's day (1 = the day it opens). */
  day: number;
  flashback: boolean;
  /** The words that moved the clock, when any did. */
  phrase?: string;
  /** The latest day of the scenes before it. */
  latest: number;
}

/** The day each scene happens on, from the first time fact of each scene (in the ledger's order). */
export function sceneTimes(facts: readonly ContinuityFact[], scenes: readonly number[]): SceneTime[] {
  const markers = new Map<number, TimeMarker>();
  for (const fact of facts) {
    if (fact.kind !== 'time' || markers.has(fact.scene)) continue;
    const marker = timeMarker(fact.text);
    if (marker) markers.set(fact.scene, marker);
  }
  let day = 1;
  let latest = 1;
  let weekday: number | undefined;
  return [...scenes].sort((a, b) => a - b).map((scene) => {
    const marker = markers.get(scene);
    if (marker?.flashback) return { scene, day, flashback: true, phrase: marker.phrase, latest };
    if (marker?.day !== undefined) day = marker.day;
    else if (marker?.delta !== undefined) day += marker.delta;
    if (marker?.weekday !== undefined) {
      if (weekday !== undefined && marker.delta === undefined) day += (marker.weekday - weekday + 7) % 7;
      weekday = marker.weekday;
    } else if (marker?.delta !== undefined && weekday !== undefined) {
      weekday = (((weekday + marker.delta) % 7) + 7) % 7;
    }
    const time = { scene, day, flashback: false, phrase: marker?.phrase, latest };
    // A step back is reported on the scene that takes it; the scenes after it go on from the latest day.
    day = Math.max(latest, day);
    latest = day;
    return time;
  });
}

// ---- reading facts from text ----

function fact(scene: number, kind: ContinuityKind, subject: string, text: string): ContinuityFact {
  return { scene, kind, subject, text };
}

/** The facts a plain text states (a scene's narration, a card's outcome), by the heuristics. */
export function factsInText(scene: number, text: string, cast: readonly Character[]): ContinuityFact[] {
  const facts: ContinuityFact[] = deathsIn(text, cast).map((name) => fact(scene, 'death', name, `${name} is dead from scene ${scene} on.`));
  const marker = timeMarker(text, false);
  if (marker) facts.push(fact(scene, 'time', 'time', marker.flashback ? 'Flashback.' : `${marker.phrase[0].toUpperCase()}${marker.phrase.slice(1)}.`));
  for (const sentence of sentencesOf(text)) {
    const named = castNamedIn(sentence, cast);
    const hedged = HEDGE.test(sentence);
    if (named.length === 1 && LEAVES.test(sentence) && FOR_GOOD.test(sentence)) {
      facts.push(fact(scene, 'absence', named[0].name, `${named[0].name} is gone for good from scene ${scene} on.`));
      continue;
    }
    if (hedged) continue;
    const destroyed = OBJECT_CHANGE.exec(sentence);
    if (destroyed) {
      const object = objectPhrase(destroyed[2]);
      facts.push(fact(scene, 'object', object, `${capitalised(object)} is destroyed (${sentence.replace(/[.!?]+$/, '')}).`));
    }
    const handed = HANDED.exec(sentence);
    const receiver = handed ? findByName(handed[3], cast) : undefined;
    if (handed && receiver) facts.push(fact(scene, 'object', objectPhrase(handed[2]), `${receiver.name} has ${objectPhrase(handed[2])}.`));
    if (named.length >= 1 && INJURY.test(sentence)) facts.push(fact(scene, 'injury', named[0].name, sentence));
    if (named.length >= 1 && KNOWS.test(sentence)) facts.push(fact(scene, 'knowledge', named[0].name, sentence));
    if (named.length >= 2 && TIES.test(sentence)) facts.push(fact(scene, 'relationship', `${named[0].name} and ${named[1].name}`, sentence));
  }
  return facts;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The facts a plan establishes without a model: how each scene leaves things, and what its outcome states. */
export function planFacts(cards: readonly SceneCard[], cast: readonly Character[]): ContinuityFact[] {
  return cards.flatMap((card) => [
    fact(card.number, 'state', card.characters.join(' and ') || card.location, card.outcome),
    ...factsInText(card.number, card.outcome, cast),
    ...factsInText(card.number, card.beat, cast).filter((f) => f.kind === 'time'),
  ]);
}

/**
 * Every fact known about a story, earliest scene first: what was read from the written text comes before what
 * the plan says about the same scene (the page is what a reader saw), and a fact said twice is kept once.
 */
export function continuityLedger(...sources: ReadonlyArray<readonly ContinuityFact[] | undefined>): ContinuityFact[] {
  const seen = new Set<string>();
  const all: ContinuityFact[] = [];
  for (const source of sources) {
    for (const item of source ?? []) {
      const key = item.kind === 'death' || item.kind === 'absence' ? `${item.kind}|${item.subject.toLowerCase()}` : `${item.scene}|${item.kind}|${item.text.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(item);
    }
  }
  return all.map((item, order) => ({ item, order })).sort((a, b) => a.item.scene - b.item.scene || a.order - b.order).map(({ item }) => item);
}

// ---- facts kept with an output ----

/** JSON with object keys in sorted order: the same value gives the same text whoever built it. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().filter((key) => record[key] !== undefined).map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A fingerprint of what facts were read from (FNV-1a over its canonical JSON). */
export function sourceKey(value: unknown): string {
  let hash = 0x811c9dc5;
  for (const char of canonical(value)) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The facts an output keeps, while what they were read from (its cards, scenes or passages) is unchanged: a person's
 * edit at an approval does not carry the model's reading of the text it replaced.
 */
export function keptFacts(output: unknown): ContinuityFact[] {
  if (output === null || typeof output !== 'object') return [];
  const { continuity, continuityKey, scenes, passages } = output as Record<string, unknown>;
  if (!Array.isArray(continuity) || typeof continuityKey !== 'string' || continuityKey !== sourceKey(scenes ?? passages)) return [];
  return continuity as ContinuityFact[];
}

// ---- what the facts settle ----

export interface Gone {
  name: string;
  scene: number;
  /** "died" or "left for good". */
  how: string;
}

/** Cast members out of the story from some scene on: dead, or gone for good. The first such fact counts. */
export function goneFromStory(facts: readonly ContinuityFact[], cast: readonly Character[]): Gone[] {
  const gone = new Map<string, Gone>();
  for (const item of facts) {
    const leaving = item.kind === 'absence' && FOR_GOOD.test(item.text);
    if (item.kind !== 'death' && !leaving) continue;
    const member = findByName(item.subject, cast) ?? (castNamedIn(item.subject, cast).length === 1 ? castNamedIn(item.subject, cast)[0] : undefined);
    if (!member || gone.has(member.name)) continue;
    gone.set(member.name, { name: member.name, scene: item.scene, how: item.kind === 'death' ? 'died' : 'left for good' });
  }
  return [...gone.values()];
}

/** Objects destroyed, by the scene that destroyed them. */
export function destroyedObjects(facts: readonly ContinuityFact[]): Array<{ object: string; scene: number }> {
  const seen = new Set<string>();
  return facts
    .filter((item) => item.kind === 'object' && DESTROYED.test(item.text.toLowerCase()) && headNoun(item.subject).length >= 3)
    .filter((item) => !seen.has(headNoun(item.subject)) && Boolean(seen.add(headNoun(item.subject))))
    .map((item) => ({ object: item.subject.toLowerCase().startsWith('the ') ? item.subject.toLowerCase() : `the ${headNoun(item.subject)}`, scene: item.scene }));
}
