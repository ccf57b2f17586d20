// Screenplay text ↔ elements. Models write scenes as plain screenplay text (it streams well and reads
// naturally); this parser turns that text into elements, mapping cues to cast names where it can.
import type { Character, DialogueScene, ScreenplayElement } from './types';

const HEADING = /^(INT\.\/EXT\.|INT\/EXT|I\/E|INT\.|EXT\.|EST\.)\s*/i;
const TRANSITION = /^[A-Z0-9 .'-]+TO:$/;
const EXTENSION = /\s*\((V\.O\.|O\.S\.|O\.C\.|CONT'D|CONT’D)\)\s*$/i;

export function isSceneHeading(line: string): boolean {
  return HEADING.test(line.trim());
}

export function hasStandardHeading(heading: string): boolean {
  return HEADING.test(heading.trim());
}

function isCue(line: string): boolean {
  const cue = line.trim().replace(EXTENSION, '');
  return cue.length > 0 && cue.length <= 40 && /[A-Z]/.test(cue) && cue === cue.toUpperCase() && /^[A-Z0-9][A-Z0-9 .'’-]*$/.test(cue) && !HEADING.test(cue) && !TRANSITION.test(cue);
}

/** The cast name a cue stands for: the full name or the first name, case-insensitively; else the cue as written. */
export function castNameForCue(cue: string, cast: readonly Pick<Character, 'name'>[]): string {
  const bare = cue.trim().replace(EXTENSION, '').replace(/^@/, '').trim().toUpperCase();
  const exact = cast.find((c) => c.name.toUpperCase() === bare);
  if (exact) return exact.name;
  const byFirst = cast.filter((c) => c.name.split(/\s+/)[0].toUpperCase() === bare);
  return byFirst.length === 1 ? byFirst[0].name : cue.trim().replace(EXTENSION, '');
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
    if (!heading && elements.length === 0 && action.length === 0 && (isSceneHeading(line) || /^\.[A-Z]/.test(line))) {
      heading = line.replace(/^\./, '');
      continue;
    }
    const colon = /^([A-Z][A-Z0-9 .'’-]{0,38}[A-Z0-9.]):\s+(.+)$/.exec(line);
    if (colon && !HEADING.test(line) && !TRANSITION.test(line)) {
      flushAction();
      elements.push({ type: 'line', character: castNameForCue(colon[1], cast), parenthetical: null, text: colon[2].trim() });
      continue;
    }
    if (TRANSITION.test(line) || /^>[^<]*$/.test(line)) {
      flushAction();
      elements.push({ type: 'transition', text: line.replace(/^>\s*/, '') });
      continue;
    }
    const next = lines[i + 1]?.trim() ?? '';
    if (cueAllowed && next !== '' && isCue(line)) {
      flushAction();
      let parenthetical: string | null = null;
      const spoken: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j].trim() !== ''; j++) {
        const part = lines[j].trim();
        const partNext = lines[j + 1]?.trim() ?? '';
        if (spoken.length > 0 && partNext !== '' && isCue(part)) break;
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
