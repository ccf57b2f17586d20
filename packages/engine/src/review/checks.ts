// Continuity checks that need no model (cast names, repeats, chatter, headings, scene count). Each returns issues; none throws.
// They run on screenplay scenes (dialogue) and on prose passages alike.
import type { Character, ContinuityFact, ReviewIssue, SceneCard } from '../story/types';
import { findByName } from '../story/names';
import { checkBeatCoverage, checkMarkdown, checkSceneLength, checkSpeakersOnCard } from './craft-checks';
import { checkDestroyedObjects, checkGoneSpeaking, checkTimeline } from './continuity-checks';
import { editDistance, STOP_WORDS, words } from '../story/text';
import { hasStandardHeading } from '../story/screenplay';
import type { ReviewDocument } from './text';

export interface CheckContext {
  document: ReviewDocument;
  cast: Character[];
  /** Beats in the outline, when there is one. */
  expectedScenes?: number;
  /** Words that are not character names though capitalised: location and title words. */
  knownWords: Set<string>;
  /** The scene cards the text was written from, when there are any. */
  cards?: SceneCard[];
  /** The narration's point of view asked for (third unless said otherwise). */
  pov?: 'first' | 'second' | 'third';
  /** Words per scene asked for. */
  sceneWords?: { min: number; max: number };
  /** Continuity facts read (by a model, or the heuristics offline) from the text and the plan, text first. */
  facts?: readonly ContinuityFact[];
}

export type Check = (context: CheckContext) => ReviewIssue[];

const NAME_DISTANCE = 2;
const REPEAT_LIMIT = 3;
// A loop shows up inside one scene (the scene's phrases repeat) or across the whole text; a long
// formulaic script reuses phrases across scenes legitimately, so the whole-text bar is lower.
const MIN_TRIGRAMS = 40;
const MIN_SCENE_RATIO = 0.5;
const MIN_TEXT_RATIO = 0.2;

const CHATTER: Array<[RegExp, string]> = [
  [/\bsure[,!]? here(?:'s| is)\b/i, 'Sure, here is'],
  [/\bas an ai\b/i, 'As an AI'],
  [/\bas a (?:large )?language model\b/i, 'As a language model'],
  [/\bhere(?:'s| is) (?:the|a|your) (?:revised |rewritten |updated )?(?:scene|story|screenplay|passage|script|draft)\b/i, 'Here is the scene'],
  [/\bi hope (?:this|that) helps\b/i, 'I hope this helps'],
  [/\blet me know if you(?:'d| would)? (?:like|want)\b/i, 'Let me know if you would like'],
  [/^\s*certainly[!,.]/im, 'Certainly!'],
  [/\bI (?:can(?:no|')t|am unable to) (?:help|assist) with\b/i, 'a refusal'],
];

// Word edges by Unicode letters, not `\b` (ASCII-only even with /u): "Jérôme" must not end in the word "me".
const FIRST_PERSON = /(?<![\p{L}\p{M}\p{N}'’])(I|me|my|mine|myself|we|us|our|ours)(?![\p{L}\p{M}\p{N}])/gu;
/** Capitalised words that do not start a sentence ("Nguyễn", "Zoë"): the places names appear in running text. */
const NAME_IN_TEXT = /(?<![.!?:\n]\s*|^\s*|[“"(]\s*)(?<![\p{L}\p{M}\p{N}'’])(\p{Lu}[\p{Ll}\p{M}]{3,})(?![\p{L}\p{M}\p{N}])/gu;

function where(sceneNumber: number, document: ReviewDocument): string {
  return document.kind === 'text' ? '' : `Scene ${sceneNumber}: `;
}

function castNameFor(name: string, cast: readonly Character[]): Character | undefined {
  return findByName(name, cast);
}

/** Roles an unnamed walk-on is cued by ("WAITER", "OLD MAN", "GUARD #2", "NURSE 1", "VOICE (O.S.)"). */
const WALK_ON_ROLES = new Set(
  ('waiter waitress guard nurse doctor officer cop policeman policewoman clerk driver bartender barman barmaid ' +
    'voice crowd man woman boy girl child kid stranger neighbour neighbor porter cashier receptionist soldier ' +
    'sailor fisherman priest vicar teacher student passenger conductor announcer reporter waiter customer ' +
    'shopkeeper vendor farmer worker guest host maid butler messenger courier pilot captain crew technician ' +
    'operator secretary assistant attendant janitor landlady landlord patron server paramedic medic judge lawyer').split(' '),
);
const ROLE_MODIFIERS = /^(old|young|little|tall|first|second|third|other|another|elderly|teenage|male|female|head|night|security|police|hotel|train|station|shop|ship's|radio|tv)$/;

/** An unnamed walk-on's cue: role words only, with a modifier or a number ("SECOND GUARD", "NURSE #2"). */
export function isWalkOnCue(cue: string): boolean {
  const parts = cue.toLowerCase().replace(/\(.*?\)/g, ' ').replace(/#?\d+/g, ' ').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 3) return false;
  const last = parts[parts.length - 1].replace(/s$/, '');
  return (WALK_ON_ROLES.has(parts[parts.length - 1]) || WALK_ON_ROLES.has(last)) && parts.slice(0, -1).every((p) => ROLE_MODIFIERS.test(p) || WALK_ON_ROLES.has(p));
}

/** One spelling of a text for matching names: one Unicode normal form, typographic apostrophes as plain ones. */
function comparable(text: string): string {
  return text.normalize('NFC').replace(/’/g, "'");
}

/** The name as a whole word of the text, in any case; letters beyond ASCII count as word letters. */
function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![\\p{L}\\p{M}\\p{N}])${escapeRegExp(comparable(name))}(?![\\p{L}\\p{M}\\p{N}])`, 'iu').test(comparable(text));
}

function nearestCastName(name: string, cast: readonly Character[]): string | undefined {
  const lower = name.normalize('NFC').toLowerCase();
  for (const c of cast) {
    for (const form of [c.name.normalize('NFC'), c.name.normalize('NFC').trim().split(/\s+/)[0]]) {
      if (form.toLowerCase() !== lower && editDistance(form.toLowerCase(), lower) <= NAME_DISTANCE) return c.name;
    }
  }
  return undefined;
}

/** Every character cue is a cast name; a cue close to one is reported as a misspelling of it. */
export const checkCues: Check = ({ document, cast }) => {
  if (cast.length === 0) return [];
  const issues: ReviewIssue[] = [];
  for (const scene of document.scenes) {
    for (const speaker of new Set(scene.speakers ?? [])) {
      if (castNameFor(speaker, cast) || isWalkOnCue(speaker)) continue;
      const near = nearestCastName(speaker, cast);
      issues.push({
        code: near ? 'misspelt_character' : 'unknown_character',
        severity: 'error',
        sceneNumber: scene.number,
        message: near
          ? `${where(scene.number, document)}cue '${speaker.toUpperCase()}' is not in the cast; it looks like a misspelling of ${near}`
          : `${where(scene.number, document)}cue '${speaker.toUpperCase()}' is not in the cast (${cast.map((c) => c.name).join(', ')})`,
      });
    }
  }
  return issues;
};

/** Two cast names a reader could confuse, and names in the text that are one or two letters off a cast name. */
export const checkNearDuplicateNames: Check = ({ document, cast, knownWords }) => {
  const issues: ReviewIssue[] = [];
  for (let i = 0; i < cast.length; i++) {
    for (let j = i + 1; j < cast.length; j++) {
      if (editDistance(cast[i].name.toLowerCase(), cast[j].name.toLowerCase()) <= NAME_DISTANCE) {
        issues.push({ code: 'near_duplicate_names', severity: 'warning', message: `cast names '${cast[i].name}' and '${cast[j].name}' are easily confused; rename one` });
      }
    }
  }
  if (cast.length === 0) return issues;
  // Every letter run of every cast name ("D'Arcy" → "d", "arcy"; "Nguyễn Anh" → "nguyễn", "anh").
  const castWords = new Set(cast.flatMap((c) => c.name.normalize('NFC').toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? []));
  for (const scene of document.scenes) {
    const reported = new Set<string>();
    for (const match of scene.text.normalize('NFC').matchAll(NAME_IN_TEXT)) {
      const word = match[1];
      const lower = word.toLowerCase();
      if (castWords.has(lower) || knownWords.has(lower) || STOP_WORDS.has(lower) || reported.has(lower)) continue;
      const near = nearestCastName(word, cast);
      if (!near) continue;
      reported.add(lower);
      issues.push({
        code: 'misspelt_name',
        severity: 'warning',
        sceneNumber: scene.number,
        message: `${where(scene.number, document)}'${word}' looks like a misspelling of ${near}`,
      });
    }
  }
  return issues;
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function normalisedBlock(block: string): string {
  return block.toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ').trim();
}

/** Dramatron's loop detector: the same block more than three times in the whole text. */
export const checkRepeatedBlocks: Check = ({ document }) => {
  const counts = new Map<string, { count: number; first: number; text: string }>();
  for (const scene of document.scenes) {
    for (const block of scene.blocks) {
      const key = normalisedBlock(block);
      if (key.length < 8) continue;
      const entry = counts.get(key) ?? { count: 0, first: scene.number, text: block };
      entry.count++;
      counts.set(key, entry);
    }
  }
  return [...counts.values()]
    .filter((entry) => entry.count > REPEAT_LIMIT)
    .map((entry) => ({
      code: 'repeated_block',
      severity: 'error' as const,
      sceneNumber: entry.first,
      message: `"${entry.text.slice(0, 60)}${entry.text.length > 60 ? '…' : ''}" is repeated ${entry.count} times; vary or cut the repeats`,
    }));
};

/** Share of distinct word trigrams: low when the text goes round in circles. */
export function distinctTrigramRatio(text: string): { ratio: number; total: number } {
  const tokens = words(text);
  const total = Math.max(0, tokens.length - 2);
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) seen.add(`${tokens[i]} ${tokens[i + 1]} ${tokens[i + 2]}`);
  return { ratio: total === 0 ? 1 : seen.size / total, total };
}

export const checkDiversity: Check = ({ document }) => {
  const issues: ReviewIssue[] = [];
  for (const scene of document.scenes) {
    const { ratio, total } = distinctTrigramRatio(scene.text);
    if (total >= MIN_TRIGRAMS && ratio < MIN_SCENE_RATIO) {
      issues.push({
        code: 'low_diversity',
        severity: 'warning',
        sceneNumber: scene.number,
        message: `${where(scene.number, document)}the text goes round in circles: only ${Math.round(ratio * 100)}% of its three-word phrases are distinct`,
      });
    }
  }
  const whole = distinctTrigramRatio(document.scenes.map((s) => s.text).join('\n'));
  if (issues.length === 0 && whole.total >= MIN_TRIGRAMS && whole.ratio < MIN_TEXT_RATIO) {
    issues.push({ code: 'low_diversity', severity: 'warning', message: `the text is repetitive: only ${Math.round(whole.ratio * 100)}% of its three-word phrases are distinct` });
  }
  return issues;
};

export const checkChatter: Check = ({ document }) =>
  document.scenes.flatMap((scene) =>
    CHATTER.filter(([pattern]) => pattern.test(scene.text)).map(([, example]) => ({
      code: 'assistant_chatter',
      severity: 'error' as const,
      sceneNumber: scene.number,
      message: `${where(scene.number, document)}assistant chatter ("${example}") leaked into the text; remove it`,
    })),
  );

export const checkHeadings: Check = ({ document }) =>
  document.kind !== 'screenplay'
    ? []
    : document.scenes
        .filter((scene) => !hasStandardHeading(scene.heading ?? ''))
        .map((scene) => ({
          code: 'missing_heading',
          severity: 'error' as const,
          sceneNumber: scene.number,
          message: `Scene ${scene.number}: no INT./EXT. scene heading${scene.heading ? ` ('${scene.heading}')` : ''}`,
        }));

export const checkSceneCount: Check = ({ document, expectedScenes }) => {
  if (expectedScenes === undefined || document.kind === 'text' || document.scenes.length === expectedScenes) return [];
  return [{ code: 'scene_count_mismatch', severity: 'warning', message: `${document.scenes.length} scenes written but the outline has ${expectedScenes} beats` }];
};

/** A cast member who never speaks (screenplay) or never appears (prose). */
export const checkSilentCharacters: Check = ({ document, cast }) => {
  if (document.kind === 'text') return [];
  const allText = document.scenes.map((s) => s.text).join('\n');
  return cast
    .filter((c) => {
      if (document.kind === 'prose') return !mentions(allText, c.name.trim().split(/\s+/)[0]);
      return !document.scenes.some((s) => (s.speakers ?? []).some((speaker) => castNameFor(speaker, [c])));
    })
    .map((c) => ({
      code: 'silent_character',
      severity: 'warning' as const,
      message: document.kind === 'prose' ? `${c.name} (${c.role}) never appears; give them a part or cut them` : `${c.name} (${c.role}) never speaks; give them lines or cut them`,
    }));
};

/** First-person narration where the third person was asked for (speech in quotation marks is fine). */
export const checkFirstPerson: Check = ({ document, pov }) =>
  pov === 'first' ? [] : document.scenes.flatMap((scene) => {
    const hits = scene.narration.match(FIRST_PERSON) ?? [];
    if (hits.length < 2) return [];
    return [{
      code: 'first_person',
      severity: 'warning' as const,
      sceneNumber: scene.number,
      message: `${where(scene.number, document)}the narration slips into the first person ("${hits.slice(0, 3).join('", "')}"); keep it in the third person`,
    }];
  });

export const CHECKS: readonly Check[] = [
  checkCues,
  checkNearDuplicateNames,
  checkRepeatedBlocks,
  checkDiversity,
  checkChatter,
  checkHeadings,
  checkSceneCount,
  checkSilentCharacters,
  checkFirstPerson,
  checkSpeakersOnCard,
  checkGoneSpeaking,
  checkDestroyedObjects,
  checkTimeline,
  checkBeatCoverage,
  checkMarkdown,
  checkSceneLength,
];

export function runChecks(context: CheckContext): ReviewIssue[] {
  return CHECKS.flatMap((check) => check(context));
}

/** The score the checks allow: 10 less 3 per error and 1 per warning, at least 1. */
export function checkCeiling(issues: readonly ReviewIssue[]): number {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  return Math.max(1, Math.min(10, 10 - 3 * errors - warnings));
}
