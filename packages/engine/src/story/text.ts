// Small text utilities shared by the writers, the checks and the exporters.

export function capitalize(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}

/**
 * Lower-cases the first letter when the text continues a sentence, unless it starts with a name or an
 * acronym: only a common opening word ("A", "The", "Time") is lowered.
 */
export function lowerFirst(text: string): string {
  const first = /^[A-Za-z']+/.exec(text)?.[0] ?? '';
  if (!first || !(STOP_WORDS.has(first.toLowerCase()) || SENTENCE_OPENERS.has(first.toLowerCase()))) return text;
  if (first.length > 1 && first === first.toUpperCase()) return text;
  return text[0].toLowerCase() + text.slice(1);
}

const SENTENCE_OPENERS = new Set(['nobody', 'outside', 'time', 'refusing', 'alone', 'we', 'what', 'in', 'at', 'control', 'forgiveness', 'one']);

/** "Police Station" → "the Police Station"; "The Map Room" → "the Map Room". */
export function placePhrase(name: string): string {
  return /^the /i.test(name) ? `the ${name.slice(4)}` : `the ${name}`;
}

export function titleCase(text: string): string {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((word, i) => (i > 0 && SMALL_WORDS.has(word) ? word : capitalize(word)))
    .join(' ');
}

const SMALL_WORDS = new Set(['a', 'an', 'the', 'of', 'in', 'on', 'at', 'to', 'and', 'or', 'for', 'by', 'with']);

export function stripTrailingPunctuation(text: string): string {
  return text.trim().replace(/[.!?;:,\s]+$/, '');
}

/** "a" or "an" for the word that follows, by its sound: "an outline", "a scene", "a user", "an hour". */
export function indefiniteArticle(word: string): 'a' | 'an' {
  const lower = word.trim().replace(/^['"‘“(]+/, '').toLowerCase();
  if (/^(uni|use|usu|uti|eu|one|once|ur[aeiou])/.test(lower)) return 'a';
  if (/^(hour|honest|honou?r|heir)/.test(lower)) return 'an';
  return /^[aeiou]/.test(lower) ? 'an' : 'a';
}

/** Levenshtein distance (case-insensitive callers lower-case first). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

export function words(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(/[\p{L}\p{M}\p{N}']+/gu) ?? [];
}

/** Joins names as prose: "A", "A and B", "A, B and C". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export const STOP_WORDS = new Set(
  (
    'a an the of in on at to and or but for by with from into onto over under after before about as is are was were be ' +
    'been being has have had do does did it its this that these those there their they them he she his her him who whom ' +
    'which what when where why how one two all any some no not only own same so than too very can will just should now ' +
    'must finds find discovers discover learns learn tries try wants want has gets get out up down off again once more most'
  ).split(' '),
);

/** The subject, object, possessive and reflexive forms of a pronoun set written "she/her", "he/him" or "they/them". */
export interface PronounForms {
  subject: string;
  object: string;
  possessive: string;
  reflexive: string;
  /** "they" takes plural verbs: "they were". */
  plural: boolean;
}

export function pronounForms(pronouns: string | undefined): PronounForms {
  const first = (pronouns ?? '').trim().toLowerCase().split(/[/\s,]+/)[0];
  if (first === 'she') return { subject: 'she', object: 'her', possessive: 'her', reflexive: 'herself', plural: false };
  if (first === 'he') return { subject: 'he', object: 'him', possessive: 'his', reflexive: 'himself', plural: false };
  return { subject: 'they', object: 'them', possessive: 'their', reflexive: 'themselves', plural: true };
}

/** Rewrites a stock phrase written with "they/them/their" for one person's pronouns ("they were" → "she was"). */
export function withPronouns(text: string, pronouns: string | undefined): string {
  const forms = pronounForms(pronouns);
  if (forms.plural) return text;
  return text
    .replace(/\bthey were\b/g, `${forms.subject} was`)
    .replace(/\bthey are\b/g, `${forms.subject} is`)
    .replace(/\bthey have\b/g, `${forms.subject} has`)
    .replace(/\bthey go\b/g, `${forms.subject} goes`)
    .replace(/\bthey hate\b/g, `${forms.subject} hates`)
    .replace(/\bthey let\b/g, `${forms.subject} let`)
    .replace(/\bthemselves\b/g, forms.reflexive)
    .replace(/\bthey\b/g, forms.subject)
    .replace(/\bthem\b/g, forms.object)
    .replace(/\btheir\b/g, forms.possessive);
}

/**
 * A flaw written as a verb phrase ("trusts no one", "cannot leave a question alone") as a noun phrase that can
 * follow "the cost of": "trusting no one", "not leaving a question alone". Noun phrases pass through.
 */
export function flawAsNoun(flaw: string): string {
  const text = stripTrailingPunctuation(flaw).toLowerCase();
  const negated = /^(cannot|can't|will not|won't|does not|doesn't|never) (\w+)(.*)$/.exec(text);
  if (negated) return `${negated[1] === 'never' ? 'never ' : 'not '}${gerund(negated[2])}${negated[3]}`;
  const verb = /^(\w+?)(e?s)( .*|)$/.exec(text);
  if (verb && VERB_STEMS.has(verb[1] + (verb[2] === 'es' && !/(ss|sh|ch|x)$/.test(verb[1]) ? 'e' : ''))) {
    return `${gerund(verb[1] + (verb[2] === 'es' && !/(ss|sh|ch|x)$/.test(verb[1]) ? 'e' : ''))}${verb[3]}`;
  }
  if (/^(is|are) /.test(text)) return `being ${text.replace(/^(is|are) /, '')}`;
  return text;
}

const VERB_STEMS = new Set(['trust', 'mistake', 'believe', 'say', 'keep', 'avoid', 'gossip', 'live', 'withhold', 'lecture', 'speak', 'answer', 'count']);

function gerund(verb: string): string {
  if (verb === 'be') return 'being';
  if (/[^aeiou]e$/.test(verb)) return `${verb.slice(0, -1)}ing`;
  if (/^(gossip)$/.test(verb)) return 'gossiping';
  return `${verb}ing`;
}
