// The offline writer's scene material: what characters say and do in a scene, built from the scene
// card, the cast's wants and voices, and the notes of a rewrite. Shared by `dialogue` and `prose`.
import { SeededRandom } from './random';
import type { Character, SceneCard } from './types';
import { GENRES, PARENTHETICALS } from './vocabulary';
import { capitalize, lowerFirst, placePhrase, pronounForms, withPronouns } from './text';
import { findByName } from './names';

export type Tense = 'present' | 'past';

export interface SceneMaterial {
  card: SceneCard;
  /** Cast members present, in speaking order. */
  speakers: Character[];
  placeDescription: string;
  /** False when an earlier scene was already set here (the place is not described again). */
  firstVisit: boolean;
  /** What the scene is about: a story object ("the torn photograph"). */
  focus: string;
  previousSummary?: string;
  /** Notes this scene's rewrite must address. */
  notes: string[];
  /** Which candidate this is (0 unless the node writes several): shifts the lines picked. */
  variant: number;
  random: SeededRandom;
}

export interface Exchange {
  speaker: Character;
  parenthetical: string | null;
  text: string;
}

// Every line has two slots ({other}, {focus}, {place}, {want}) and an optional lead-in, so the same
// line rarely comes out twice, even over a long script (the review flags a block repeated > 3 times).
const OPENERS = [
  'You came back to {place}, {other}. I honestly did not think you would.',
  'Shut the door. {other}, I need you to listen before you say anything about {focus}.',
  'I have been sitting in {place} an hour trying to work out how to start this.',
  'Whatever you heard about {focus}, {other}, it is worse.',
  'Before you ask, {other}: yes, I know what time it is, and yes, this is about {focus}.',
  'Look at {place}. Nothing has moved since the last time, {other}.',
  'I almost walked straight past {place}. Then I saw your light, {other}.',
  'Sit down, {other}. We are not leaving {place} until we have talked about {focus}.',
  'Three people have asked me about {focus} today. You make four, {other}.',
  'You look terrible, {other}. Is it {focus} again?',
  'I brought {focus}. Do not make me regret it.',
  'Nobody told me you would be in {place} tonight, {other}.',
];
const PROBES = [
  'Who else knows about {focus}, {other}?',
  'Why now, {other}? Why {place}, of all places?',
  'Tell me what you actually saw in {place}. Not what you think you saw.',
  'You keep saying {focus} is nothing. Nothing does not keep you awake, {other}.',
  'What are you not telling me about {focus}?',
  'How long were you going to let me believe the other story about {focus}?',
  'When did you last see {focus} with your own eyes, {other}?',
  'Is this why you stopped answering my calls, {other}?',
  'What happens to us if anyone finds out about {focus}?',
  'Did you come to {place} to help, or to watch?',
  'Who gave you {focus}, {other}? And do not say you found it.',
  'Why does everyone in {place} go quiet when I mention {focus}?',
];
const REVEALS = [
  'I wanted {want}. That is the whole of it, {other}. Forget {focus}.',
  'It was never about {focus}. It was about who gets to decide what happens in {place}.',
  'I was in {place} that night. I did nothing. I have been doing nothing ever since.',
  'Someone moved {focus} after midnight, {other}, and it was not me.',
  'You think I am the one hiding {focus}, {other}? Look closer to home.',
  'I kept {focus} because throwing it away felt like admitting it happened.',
  'I lied about {focus}, {other}. Once. And it has been growing ever since.',
  'The truth is I wanted {want}, and {focus} was the price.',
  'I was the one who brought {focus} to {place}. I thought it would be safe here.',
  'You were never meant to find {focus}, {other}. That was the whole point.',
  'If I tell you what {focus} really is, you will never look at me the same way.',
  'I have read it a hundred times, {other}. It says what you are afraid it says.',
];
const PUSHBACKS = [
  'No, {other}. Not like this. Not after {focus}.',
  'You always do this. You make {focus} smaller until it fits in your pocket.',
  'Then say it plainly, {other}, because I am tired of guessing about {focus}.',
  'That is not an answer about {focus}. That is a door closing.',
  'I am not doing this again, {other}. Not in {place}.',
  'Funny, {other}. That is exactly what you said about {focus} last time.',
  'Do not make this about me, {other}. You had {focus} for a week.',
  'Easy for you to say. You can walk out of {place} whenever you like.',
  'That is the third story you have told me about {focus} tonight.',
  'And you expect me to just take that on trust, {other}?',
  'Stop. Every time you explain {focus}, it gets worse.',
  'I will not pretend {focus} is nothing, {other}. Not for you, not for anyone.',
];
const DECISIONS = [
  'Then we go tonight, {other}. Both of us, with {focus}. No more waiting.',
  'Fine. I will deal with {focus} myself, the way I should have from the start.',
  'We put {focus} back where it was in {place}, and we tell no one until we are sure.',
  'Give me until morning, {other}. If I am wrong about {focus}, you can say so.',
  'Get your coat, {other}. We are finishing this in {place}.',
  'All right. One more day with {focus}. Then I stop pretending, {other}.',
  'We take {focus} to the one person who can read it. Tonight.',
  'Lock {place}. Nobody comes in, nobody goes out, until we know.',
  'I am going to finish this, {other}, with or without you.',
  'Keep {focus}. If I am not back by morning, you know what to do with it.',
  'Then we do it my way. Quietly, and all the way to the end.',
  'Say nothing about {focus}. Not yet. Let them come to us, {other}.',
];
const LEAD_INS = ['', '', '', 'Listen. ', 'Honestly? ', 'Wait. ', 'Please. ', 'Right. ', 'Hey. '];

const ENTRANCES: Record<Tense, string[]> = {
  present: ['stands at the window', 'sits very still', 'paces', 'is already waiting', 'works without looking up', 'lets the door bang shut'],
  past: ['stood at the window', 'sat very still', 'paced', 'was already waiting', 'worked without looking up', 'let the door bang shut'],
};
const CLOSINGS: Record<Tense, string[]> = {
  present: [
    '{hero} is left alone in {place} with {focus}.',
    'Nobody moves. Then {hero} turns off the light, and {focus} disappears into the dark.',
    '{other} goes. {hero} does not watch {them} leave {place}.',
    'Outside {place}, something shifts. {hero} and {other} both hear it.',
    '{other} pockets {focus} when {hero} is not looking.',
    '{hero} sits down at last. {other} stays standing.',
  ],
  past: [
    '{hero} was left alone in {place} with {focus}.',
    'nobody moved, until {hero} turned off the light and {focus} disappeared into the dark.',
    '{other} went, and {hero} did not watch {them} leave {place}.',
    'Outside {place}, something shifted, and {hero} and {other} both heard it.',
    '{other} pocketed {focus} when {hero} was not looking.',
    '{hero} sat down at last; {other} stayed standing.',
  ],
};

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? key);
}

const OBJECTS = GENRES.flatMap((genre) => genre.objects);

/** The thing the scene is about: a story object named in its beat ("the torn photograph"), else one of the genre's. */
export function sceneFocus(card: SceneCard, genreObjects: readonly string[] = OBJECTS): string {
  const object = OBJECTS.find((candidate) => card.beat.includes(candidate)) ?? genreObjects[card.number % genreObjects.length];
  return object.replace(/^an? /, 'the ');
}

/** Six to nine exchanges; everyone present speaks at least once; a rewrite's notes change the picks. */
export function sceneExchanges(material: SceneMaterial): Exchange[] {
  const { speakers, random, card } = material;
  if (speakers.length === 0) return [];
  const focus = material.focus;
  const pools = [OPENERS, PROBES, REVEALS, PUSHBACKS, DECISIONS];
  const count = Math.max(speakers.length, random.int(6, 9));
  const used = new Set<string>();
  const exchanges: Exchange[] = [];
  let lastPool = -1;
  for (let i = 0; i < count; i++) {
    const speaker = speakers[i % speakers.length];
    const other = speakers.length > 1 ? speakers[(i + 1) % speakers.length] : speaker;
    const pool = pools[Math.min(pools.length - 1, Math.floor((i * pools.length) / count))];
    // Each scene starts its walk through a pool at its own offset (a scene uses at most two lines of a pool),
    // so the lines of a script do not repeat until it is longer than a pool can cover.
    let index = ((card.number - 1) * 2 + material.variant * 5 + (used.size > 0 && pools.indexOf(pool) === lastPool ? 1 : 0)) % pool.length;
    while (used.has(pool[index])) index = (index + 1) % pool.length;
    used.add(pool[index]);
    lastPool = pools.indexOf(pool);
    const leadIn = random.pick(LEAD_INS);
    const text = (pool[index].startsWith(leadIn.trim()) ? '' : leadIn) + fill(pool[index], {
      other: other.name,
      focus,
      place: placePhrase(card.location),
      want: lowerFirst(speaker.want.replace(/\.$/, '')),
    });
    const parenthetical = random.next() < 0.25 ? withPronouns(random.pick(PARENTHETICALS), speaker.pronouns) : null;
    exchanges.push({ speaker, parenthetical, text });
  }
  return exchanges;
}

/** The opening action: the place (described on the first visit only), who is there, a link to the last scene. */
export function sceneOpening(material: SceneMaterial, tense: Tense): string {
  const hero = material.speakers[0];
  const place = placePhrase(material.card.location);
  const where = material.firstVisit ? material.placeDescription : `Back in ${place}.`;
  const who = hero ? `${hero.name} ${material.random.pick(ENTRANCES[tense])}.` : '';
  const before = material.previousSummary
    ? ` ${tense === 'present' ? 'Still in the air' : 'Still on everyone’s mind'}: ${lowerFirst(material.previousSummary.replace(/^[^:]*: /, '').replace(/\.$/, ''))}.`
    : '';
  return `${where} ${who}${before}`.replace(/\s+/g, ' ').trim();
}

export function sceneClosing(material: SceneMaterial, tense: Tense): string {
  const hero = material.speakers[0]?.name ?? 'Someone';
  const other = material.speakers[1]?.name ?? hero;
  const them = pronounForms(material.speakers[1]?.pronouns).object;
  const closing = fill(material.random.pick(CLOSINGS[tense]), { hero, other, them, place: placePhrase(material.card.location), focus: material.focus });
  // Narration says when; a screenplay's heading already does.
  return tense === 'past' ? `${capitalize(timePhrase(material.card))}, ${lowerFirst(closing)}` : closing;
}

/** Which notes concern scene `number`: those naming it, and those naming no scene at all. */
export function notesForScene(notes: readonly string[], number: number): string[] {
  return notes.filter((note) => {
    const named = [...note.matchAll(/\bscene (\d+)/gi)].map((m) => Number(m[1]));
    return named.length === 0 || named.includes(number);
  });
}

/** The cast members on a scene's card, in the card's order; the protagonist when the card names nobody known. */
export function sceneSpeakers(card: SceneCard, cast: readonly Character[]): Character[] {
  const present = card.characters.map((name) => findByName(name, cast)).filter((c): c is Character => c !== undefined);
  const unique = [...new Set(present)];
  return unique.length > 0 ? unique : cast.slice(0, 1);
}

const TIME_PHRASES: Record<string, string> = {
  DAY: 'that afternoon',
  NIGHT: 'that night',
  MORNING: 'that morning',
  EVENING: 'that evening',
  CONTINUOUS: 'a moment later',
};

/** "INT. KITCHEN - NIGHT" → "that night": when a scene happens, for narration. */
export function timePhrase(card: SceneCard): string {
  const time = / - ([A-Z ]+)$/.exec(card.heading)?.[1]?.trim() ?? '';
  return TIME_PHRASES[time] ?? 'later';
}
