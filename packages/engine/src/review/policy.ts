// Content-policy checks without a model: lexicons and heuristics per category, each flag naming its scene and
// the words that raised it. An aid for a person at the policy gate, not a guarantee: a lexicon misses what it
// does not list and flags fiction that only mentions a thing. Sexual content involving minors is always checked.
import type { PolicyCategory, PolicyFlag } from '../story/types';
import { words } from '../story/text';
import type { ReviewDocument, ReviewScene } from './text';

export interface PolicyContext {
  document: ReviewDocument;
  categories: readonly PolicyCategory[];
  /** Real people the producer names: claims about them are checked for defamation. */
  realPeople: readonly string[];
  /** Text the producer supplies that the story must not copy (a reference corpus). */
  reference?: string;
}

/** Words in a row shared with the reference that count as copying. */
export const VERBATIM_WORDS = 12;

const MINOR = /\b(child|children|kid|kids|minor|minors|underage|under-age|schoolgirl|schoolboy|toddler|infant|preteen|pre-teen|(?:[1-9]|1[0-7])[- ]year[- ]old|twelve|thirteen|fourteen|fifteen|sixteen)\b/i;
const SEXUAL = /\b(sex|sexual|sexually|naked|nude|undress(?:es|ed|ing)?|aroused|arousal|erotic|intercourse|molest\w*|fondl\w*|grop\w*|seduc\w*|orgasm\w*|lust\w*)\b/i;

const GROUPS =
  /\b(jews?|jewish|muslims?|christians?|hindus?|sikhs?|buddhists?|immigrants?|refugees?|migrants?|blacks?|whites?|asians?|arabs?|africans?|mexicans?|latinos?|gays?|lesbians?|trans(?:gender)? people|women|disabled people|roma|gypsies)\b/i;
const DEHUMANISING = /\b(vermin|subhuman|sub-human|animals|parasites|cockroaches|rats|disease|plague|filth|inferior|exterminat\w*|wipe(?:d)? out|cleanse|should (?:all )?die|don'?t deserve to live)\b/i;

const GORE = /\b(disembowel\w*|entrails|intestines|gore|gory|viscera|eviscerat\w*|decapitat\w*|severed|dismember\w*|spurt\w*|gush\w* blood|blood (?:sprays?|spurts?|pools?|gushes)|skull (?:cracks|splits|caves)|flay\w*|brains? (?:spill|splatter)\w*|torture\w*|mutilat\w*|gouge\w*)\b/gi;
/** Gore words in one scene that make it graphic rather than merely violent. */
const GORE_THRESHOLD = 3;

const SELF_HARM = [
  /\bhow (?:to|you) (?:kill|hurt|cut|hang|poison) (?:yourself|myself|themselves|herself|himself)\b/i,
  /\b(?:you should|just|go) (?:kill|hurt|cut) yourself\b/i,
  /\b(?:overdose|od) on (?:\d+|a bottle|the whole|all (?:the|your))\b/i,
  /\b(?:best|easiest|painless|quickest) way to (?:die|end it|kill (?:yourself|myself))\b/i,
  /\b(?:cutting|burning) (?:is|was) the only (?:way|thing) that helps\b/i,
];

const ACCUSATION =
  /\b(murder(?:ed|s)?|killed|raped|stole|steals|embezzl\w*|bribe[sd]?|fraud\w*|laundered|launders|paedophile|pedophile|rapist|criminal|corrupt|lied under oath|took bribes|abused|trafficked|cheated)\b/i;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean);
}

function clip(text: string): string {
  return text.length > 140 ? `${text.slice(0, 137)}…` : text;
}

function flag(category: PolicyCategory, scene: ReviewScene, document: ReviewDocument, evidence: string, message: string): PolicyFlag {
  return { category, scene: document.kind === 'text' ? null : scene.number, evidence: clip(evidence), message, source: 'checks' };
}

/** A minor and a sexual term within a few words of each other, in either order. */
const NEAR = 5;
const MINOR_NEAR_SEXUAL = new RegExp(
  `${MINOR.source}(?:\\W+[\\w'-]+){0,${NEAR}}?\\W+${SEXUAL.source}|${SEXUAL.source}(?:\\W+[\\w'-]+){0,${NEAR}}?\\W+${MINOR.source}`,
  'i',
);

function minors(scene: ReviewScene, document: ReviewDocument): PolicyFlag[] {
  const hit = sentencesOf(scene.text).find((sentence) => MINOR_NEAR_SEXUAL.test(sentence));
  return hit ? [flag('minors', scene, document, hit, 'sexual content next to a mention of a minor')] : [];
}

function hate(scene: ReviewScene, document: ReviewDocument): PolicyFlag[] {
  const hit = sentencesOf(scene.text).find((sentence) => GROUPS.test(sentence) && DEHUMANISING.test(sentence));
  return hit ? [flag('hate', scene, document, hit, 'dehumanising language about a group')] : [];
}

function violence(scene: ReviewScene, document: ReviewDocument): PolicyFlag[] {
  const hits = scene.text.match(GORE) ?? [];
  if (hits.length < GORE_THRESHOLD) return [];
  return [flag('graphic-violence', scene, document, [...new Set(hits.map((h) => h.toLowerCase()))].join(', '), `${hits.length} graphic injury details in one scene`)];
}

function selfHarm(scene: ReviewScene, document: ReviewDocument): PolicyFlag[] {
  const hit = sentencesOf(scene.text).find((sentence) => SELF_HARM.some((pattern) => pattern.test(sentence)));
  return hit ? [flag('self-harm', scene, document, hit, 'instructions for or encouragement of self-harm')] : [];
}

function defamation(scene: ReviewScene, document: ReviewDocument, people: readonly string[]): PolicyFlag[] {
  return people.flatMap((person) => {
    const name = person.trim();
    if (!name) return [];
    const named = new RegExp(`(?<![\\p{L}\\p{M}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{M}])`, 'iu');
    const hit = sentencesOf(scene.text).find((sentence) => named.test(sentence) && ACCUSATION.test(sentence));
    return hit ? [flag('defamation', scene, document, hit, `a damaging claim about ${name}, a real person`)] : [];
  });
}

/** Runs of at least `VERBATIM_WORDS` words that appear word for word in the reference. */
function verbatim(scene: ReviewScene, document: ReviewDocument, shingles: Set<string>): PolicyFlag[] {
  const tokens = words(scene.text);
  for (let i = 0; i + VERBATIM_WORDS <= tokens.length; i++) {
    if (!shingles.has(tokens.slice(i, i + VERBATIM_WORDS).join(' '))) continue;
    let end = i + VERBATIM_WORDS;
    while (end < tokens.length && shingles.has(tokens.slice(end - VERBATIM_WORDS + 1, end + 1).join(' '))) end++;
    return [flag('verbatim', scene, document, tokens.slice(i, end).join(' '), `${end - i} words in a row copied from the reference text`)];
  }
  return [];
}

function shinglesOf(reference: string | undefined): Set<string> {
  const tokens = words(reference ?? '');
  const shingles = new Set<string>();
  for (let i = 0; i + VERBATIM_WORDS <= tokens.length; i++) shingles.add(tokens.slice(i, i + VERBATIM_WORDS).join(' '));
  return shingles;
}

export function policyFlags(context: PolicyContext): PolicyFlag[] {
  const on = new Set<PolicyCategory>(['minors', ...context.categories]);
  const shingles = on.has('verbatim') ? shinglesOf(context.reference) : new Set<string>();
  const { document } = context;
  return document.scenes.flatMap((scene) => [
    ...minors(scene, document),
    ...(on.has('hate') ? hate(scene, document) : []),
    ...(on.has('graphic-violence') ? violence(scene, document) : []),
    ...(on.has('self-harm') ? selfHarm(scene, document) : []),
    ...(on.has('defamation') ? defamation(scene, document, context.realPeople) : []),
    ...(shingles.size > 0 ? verbatim(scene, document, shingles) : []),
  ]);
}
