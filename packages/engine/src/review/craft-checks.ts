// Checks against the plan and the page: a speaker the scene's card does not list, a card's beat that never
// reaches the page, Markdown left in screenplay or prose text, and scenes far shorter or longer than asked.
import type { ReviewIssue } from '../story/types';
import { castNamedIn, findByName } from '../story/names';
import { STOP_WORDS, words } from '../story/text';
import type { Check } from './checks';

const MARKDOWN: Array<[RegExp, string]> = [
  [/\*\*[^*\n]+\*\*|__[^_\n]+__/, 'bold (**…**)'],
  [/^\s{0,3}#{1,6}\s+\S/m, 'a heading (# …)'],
  [/^\s*```/m, 'a code fence (```)'],
  [/^\s*(?:[-*]\s+\S.*\n){2,}/m, 'a bulleted list'],
];

/** Markdown a model left in: bold cues, `#` headings, fences, lists. It would print as is in a script. */
export const checkMarkdown: Check = ({ document }) =>
  document.scenes.flatMap((scene) => {
    const raw = [scene.heading ?? '', scene.text].join('\n');
    const found = MARKDOWN.filter(([pattern]) => pattern.test(raw)).map(([, what]) => what);
    if (found.length === 0) return [];
    return [{
      code: 'markdown_leftover',
      severity: 'error' as const,
      sceneNumber: scene.number,
      message: `Scene ${scene.number}: Markdown left in the text (${found.join(', ')}); write plain ${document.kind === 'screenplay' ? 'Fountain' : 'prose'}`,
    }];
  });

/** A cast member speaking in a scene whose card does not put them there. */
export const checkSpeakersOnCard: Check = ({ document, cast, cards }) => {
  if (!cards || document.kind !== 'screenplay') return [];
  const issues: ReviewIssue[] = [];
  for (const scene of document.scenes) {
    const card = cards.find((c) => c.number === scene.number);
    if (!card) continue;
    const reported = new Set<string>();
    for (const speaker of scene.speakers ?? []) {
      const member = findByName(speaker, cast);
      if (!member || reported.has(member.name) || card.characters.some((name) => findByName(name, [member]))) continue;
      reported.add(member.name);
      issues.push({
        code: 'speaker_not_on_card',
        severity: 'error',
        sceneNumber: scene.number,
        message: `Scene ${scene.number}: ${member.name} speaks but is not in this scene (its card has ${card.characters.join(', ') || 'nobody named'}); give the line to someone present or cut it`,
      });
    }
  }
  return issues;
};

function contentWords(text: string): Set<string> {
  return new Set(words(text).filter((word) => word.length > 3 && !STOP_WORDS.has(word)));
}

/**
 * The card's beat on the page: the people it lists appear, and the beat's own words (its people, places and
 * things) show up in the scene. A model judge answers the same question per beat; this is the check without one.
 */
export const checkBeatCoverage: Check = ({ document, cast, cards }) => {
  if (!cards || document.kind === 'text') return [];
  const issues: ReviewIssue[] = [];
  for (const scene of document.scenes) {
    const card = cards.find((c) => c.number === scene.number);
    if (!card) continue;
    const onPage = new Set(castNamedIn(scene.text, cast).map((c) => c.name));
    const absent = card.characters.filter((name) => findByName(name, cast) && !onPage.has(findByName(name, cast)!.name));
    const beatWords = [...contentWords(card.beat)];
    const page = contentWords(scene.text);
    const shared = beatWords.filter((word) => page.has(word)).length;
    const missingBeat = beatWords.length >= 4 && shared / beatWords.length < 0.25;
    if (absent.length === 0 && !missingBeat) continue;
    const why = [
      absent.length > 0 ? `${absent.join(' and ')} ${absent.length > 1 ? 'are' : 'is'} on the card but not on the page` : '',
      missingBeat ? `the beat ("${card.beat}") does not happen` : '',
    ].filter(Boolean);
    issues.push({ code: 'beat_not_covered', severity: 'warning', sceneNumber: scene.number, message: `Scene ${scene.number}: ${why.join('; ')}` });
  }
  return issues;
};

/** Scenes under half the shortest or over twice the longest length asked for. */
export const checkSceneLength: Check = ({ document, sceneWords }) => {
  if (!sceneWords || document.kind === 'text') return [];
  return document.scenes.flatMap((scene) => {
    const count = words(scene.text).length;
    if (count >= sceneWords.min / 2 && count <= sceneWords.max * 2) return [];
    const short = count < sceneWords.min / 2;
    return [{
      code: 'scene_length',
      severity: 'warning' as const,
      sceneNumber: scene.number,
      message: `Scene ${scene.number}: ${count} words, ${short ? 'far shorter' : 'far longer'} than the ${sceneWords.min}–${sceneWords.max} asked for; ${short ? 'play the scene out' : 'cut it down'}`,
    }];
  });
};
