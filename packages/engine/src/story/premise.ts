// Reads a premise the way the offline writers need it: the genre it suggests, its protagonist phrase
// and its salient words. Deterministic, no model.
import { GENRES, type GenreProfile } from './vocabulary';
import { STOP_WORDS, capitalize, indefiniteArticle, stripTrailingPunctuation } from './text';

export function genreOf(text: string): GenreProfile {
  const lower = ` ${text.toLowerCase()} `;
  let best = GENRES[GENRES.length - 1];
  let bestHits = 0;
  for (const profile of GENRES) {
    const hits = profile.keywords.filter((keyword) => lower.includes(keyword)).length;
    if (hits > bestHits) {
      best = profile;
      bestHits = hits;
    }
  }
  return best;
}

export function genreProfileNamed(genre: string | undefined, fallbackText: string): GenreProfile {
  const named = GENRES.find((profile) => profile.genre.toLowerCase() === genre?.toLowerCase());
  return named ?? genreOf(fallbackText);
}

/** Words of the premise that carry meaning, in order, without duplicates. */
export function salientWords(text: string): string[] {
  const found = text.toLowerCase().match(/[a-z][a-z'-]+/g) ?? [];
  return [...new Set(found.filter((word) => word.length > 2 && !STOP_WORDS.has(word) && !word.includes("'")))];
}

/**
 * "A retired cartographer finds a map…" → "retired cartographer": the words after the opening
 * article up to the first verb-like stop word. Falls back to the first salient word.
 */
export function protagonistPhrase(premise: string): string {
  const tokens = stripTrailingPunctuation(premise).split(/\s+/);
  const start = /^(a|an|the)$/i.test(tokens[0] ?? '') ? 1 : 0;
  const phrase: string[] = [];
  for (const token of tokens.slice(start)) {
    const word = token.toLowerCase().replace(/[^a-z'-]/g, '');
    if (!word || STOP_WORDS.has(word) || VERBS.has(word) || (phrase.length > 0 && /[^s]s$/.test(word))) break;
    phrase.push(word);
    if (phrase.length === 3 || /[,;:]$/.test(token)) break;
  }
  return phrase.length > 0 ? phrase.join(' ') : salientWords(premise)[0] ?? 'stranger';
}

/** Verbs that end the protagonist phrase even without a third-person "s" ("must", "inherit"). */
const VERBS = new Set(['must', 'inherit', 'wake', 'return', 'receive', 'become', 'meet', 'lose', 'hear', 'see', 'take', 'go', 'fall', 'fight']);

/** The head noun of the protagonist phrase: "retired cartographer" → "cartographer". */
export function protagonistNoun(premise: string): string {
  const words = protagonistPhrase(premise).split(' ');
  return words[words.length - 1];
}

const PLACE_NOUNS = new Set(
  ('city town village house farm farmhouse island lighthouse station ship school hotel library forest harbour harbor ' +
    'port castle church chapel mine factory hospital colony planet moon shop bakery restaurant theatre theater ' +
    'museum prison valley mountain desert vineyard orchard garden market street bridge tower manor estate camp ' +
    'base lab laboratory office court palace temple monastery circus studio').split(' '),
);

/** Nouns introduced by an article or possessive ("a map", "her missing brother" → "map", "brother"). */
export function nounsOf(premise: string): string[] {
  const tokens = premise.toLowerCase().split(/[^a-z'-]+/).filter(Boolean);
  const nouns: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!/^(a|an|the|her|his|their|its|my|our)$/.test(tokens[i])) continue;
    let j = i + 1;
    // Extend over adjectives ("her missing brother") but stop at a verb ("an android nurse falls").
    while (j + 1 < tokens.length && !STOP_WORDS.has(tokens[j + 1]) && !VERBS.has(tokens[j + 1]) && !/[^s]s$/.test(tokens[j + 1]) && j - i < 3) j++;
    const noun = tokens[j];
    if (noun && !STOP_WORDS.has(noun)) nouns.push(noun);
  }
  return [...new Set(nouns)];
}

/** A place the premise names ("an orbital station" → "orbital station"), if any. */
export function placeOf(premise: string): string | undefined {
  return salientWords(premise).find((word) => PLACE_NOUNS.has(word));
}

/** "Mara returns to her village" → "Mara": a premise that opens with a name names its protagonist. */
export function protagonistName(premise: string): string | undefined {
  const first = /^\s*(\p{Lu}[\p{Ll}\p{M}]+)(?![\p{L}\p{M}\p{N}])/u.exec(premise.normalize('NFC'))?.[1];
  if (!first || STOP_WORDS.has(first.toLowerCase()) || /^(one|two|three|four|five|after|when|while|during|every|some)$/i.test(first)) return undefined;
  return first;
}

/** How narration names the protagonist before the cast exists: "Mara", "the cartographer", "the sisters". */
export function protagonistReference(premise: string): string {
  return protagonistName(premise) ?? `the ${protagonistNoun(premise)}`;
}

/** "retired cartographer" → "A retired cartographer at the centre of the story"; "sisters" → "One of the sisters …". */
export function protagonistDescription(premise: string): string {
  if (protagonistName(premise)) return 'The one this story follows';
  const phrase = protagonistArticlePhrase(premise);
  return `${phrase} at the centre of the story`;
}

function protagonistArticlePhrase(premise: string): string {
  const phrase = protagonistPhrase(premise);
  if (/[^s]s$/.test(phrase)) return `One of the ${phrase}`;
  return `${capitalize(indefiniteArticle(phrase))} ${phrase}`;
}

/** The protagonist's pronouns when the premise gives them ("…and her missing brother" → she/her). */
export function protagonistPronouns(premise: string): 'she/her' | 'he/him' | undefined {
  const lower = ` ${premise.toLowerCase().replace(/[^a-z']+/g, ' ')} `;
  const she = /\b(she|her|hers|herself)\b/.test(lower);
  const he = /\b(he|him|his|himself)\b/.test(lower);
  if (she && !he) return 'she/her';
  if (he && !she) return 'he/him';
  // Both: whichever comes first is most likely the protagonist's.
  if (she && he) return lower.search(/\b(she|her|hers|herself)\b/) < lower.search(/\b(he|him|his|himself)\b/) ? 'she/her' : 'he/him';
  return undefined;
}
