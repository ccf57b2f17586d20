// Screenplay text ↔ elements. Models write scenes as plain screenplay text (it streams well and reads
// naturally); this parser turns that text into elements, mapping cues to cast names where it can.
import type { Character, DialogueScene, ScreenplayElement } from './types';
import { findByName } from './names';

const HEADING = /^(INT\.\/EXT\.|INT\/EXT|I\/E|INT\.|EXT\.|EST\.)\s*/i;
// Names are not ASCII (Zoë, José, Nguyễn Anh, Ólafur): every letter class here is Unicode-aware.
const TRANSITION = /^[\p{Lu}\p{N} .'’-]+TO:$/u;
const EXTENSION = /\s*\((V\.O\.|O\.S\.|O\.C\.|CONT'D|CONT’D)\)\s*$/i;
/** A cue nobody cast: capitals (any script), digits and the punctuation names carry. */
const GENERIC_CUE = /^[\p{Lu}\p{N}][\p{Lu}\p{M}\p{N} .,'’&-]*$/u;
const COLON_LINE = /^([^:]{1,40}):\s+(.+)$/;
const GENERIC_COLON_NAME = /^\p{Lu}[\p{Lu}\p{M}\p{N} .'’&-]{0,38}[\p{Lu}\p{M}\p{N}.]$/u;

function bareCue(cue: string): string {
  return cue.trim().replace(EXTENSION, '').replace(/^@/, '').trim();
}

/** The cast member a name stands for: the full name or an unambiguous first name, in any case. */
function castMemberNamed<C extends Pick<Character, 'name'>>(name: string, cast: readonly C[]): C | undefined {
  return findByName(name, cast);
}

export function isSceneHeading(line: string): boolean {
  return HEADING.test(line.trim());
}

export function hasStandardHeading(heading: string): boolean {
  return HEADING.test(heading.trim());
}

/**
 * A cue line: a cast name in capitals (whatever letters or punctuation the name has, "MARA & <CO>"), a
 * Fountain-forced `@Name`, or, for someone not in the cast, a short line in capitals; each with an optional
 * extension such as `(V.O.)`.
 */
function isCue(line: string, cast: readonly Pick<Character, 'name'>[]): boolean {
  const written = line.trim().replace(EXTENSION, '').trim();
  if (written.length === 0 || written.length > 40 || HEADING.test(written) || TRANSITION.test(written)) return false;
  const bare = bareCue(written);
  if (written.startsWith('@')) return bare.length > 0;
  if (bare !== bare.normalize('NFC').toUpperCase() || !/\p{Lu}/u.test(bare)) return false;
  return castMemberNamed(bare, cast) !== undefined || GENERIC_CUE.test(bare);
}

/** `NAME: line` dialogue: a cast name in any case ("Élodie: …"), or a name in capitals. */
function colonLine(line: string, cast: readonly Pick<Character, 'name'>[]): { name: string; text: string } | undefined {
  const match = COLON_LINE.exec(line);
  if (!match || HEADING.test(line) || TRANSITION.test(line)) return undefined;
  const name = match[1].trim();
  if (castMemberNamed(name, cast) || GENERIC_COLON_NAME.test(name)) return { name, text: match[2].trim() };
  return undefined;
}

/** The cast name a cue stands for: the full name or the first name, case-insensitively; else the cue as written. */
export function castNameForCue(cue: string, cast: readonly Pick<Character, 'name'>[]): string {
  return castMemberNamed(bareCue(cue), cast)?.name ?? cue.trim().replace(EXTENSION, '');
}

/** Parses one screenplay scene written as text (Fountain-like). Also accepts `NAME: line` dialogue. */
export function parseScreenplayScene(text: string, number: number, cast: readonly Pick<Character, 'name'>[]): DialogueScene {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((line) => !/^\s*```/.test(line));
  const elements: ScreenplayElement[] = [];
  let heading = '';
  let action: string[] = [];
  const flushAction = (): void => {
    if (action.length > 0) elements.push({ type: 'action', text: action.join(' ') });
    action = [];
  };
  // A cue follows a blank line, or directly follows a speech when a writer leaves out the blank lines.
  let afterSpeech = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const cueAllowed = i === 0 || lines[i - 1].trim() === '' || afterSpeech;
    afterSpeech = false;
    if (line === '') {
      flushAction();
      continue;
    }
    if (!heading && elements.length === 0 && action.length === 0 && (isSceneHeading(line) || /^\.\p{Lu}/u.test(line))) {
      heading = line.replace(/^\./, '');
      continue;
    }
    const colon = colonLine(line, cast);
    if (colon) {
      flushAction();
      elements.push({ type: 'line', character: castNameForCue(colon.name, cast), parenthetical: null, text: colon.text });
      continue;
    }
    if (TRANSITION.test(line) || /^>[^<]*$/.test(line)) {
      flushAction();
      elements.push({ type: 'transition', text: line.replace(/^>\s*/, '') });
      continue;
    }
    const next = lines[i + 1]?.trim() ?? '';
    if (cueAllowed && next !== '' && isCue(line, cast)) {
      flushAction();
      let parenthetical: string | null = null;
      const spoken: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j].trim() !== ''; j++) {
        const part = lines[j].trim();
        const partNext = lines[j + 1]?.trim() ?? '';
        if (spoken.length > 0 && partNext !== '' && isCue(part, cast)) break;
        if (/^\(.*\)$/.test(part) && parenthetical === null && spoken.length === 0) parenthetical = part.slice(1, -1).trim();
        else spoken.push(part);
      }
      elements.push({ type: 'line', character: castNameForCue(line, cast), parenthetical, text: spoken.join(' ') });
      afterSpeech = j < lines.length && lines[j].trim() !== '';
      i = j - 1;
      continue;
    }
    action.push(line);
  }
  flushAction();
  return { number, heading, elements };
}

/** One scene as plain screenplay text (what the review reads and what a model sees as its previous version). */
export function screenplaySceneText(scene: DialogueScene): string {
  const blocks = [scene.heading];
  for (const element of scene.elements) {
    if (element.type === 'line') {
      blocks.push([element.character.toUpperCase(), element.parenthetical ? `(${element.parenthetical})` : '', element.text].filter(Boolean).join('\n'));
    } else {
      blocks.push(element.text);
    }
  }
  return blocks.filter((block) => block !== '').join('\n\n');
}
