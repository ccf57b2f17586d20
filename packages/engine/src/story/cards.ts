// Scene cards made from outline beats without a model: the offline scene list, and the cards a writer works
// from when a pipeline has an outline but no scene list. A card follows its beat's own names (who is in it,
// where it happens); only a beat that names nobody or no known place falls back to the protagonist and a
// place in turn.
import type { Beat, Character, Location, Outline, SceneCard } from './types';
import { castNamedIn, castNamesOf, findPlace } from './names';
import { capitalize, flawAsNoun, lowerFirst, placePhrase, stripTrailingPunctuation, withPronouns } from './text';

export interface CardMaterial {
  cast: readonly Character[];
  places: readonly Location[];
  /** The time of day for the heading of scene `index` (0-based). */
  timeOf(index: number): string;
}

/** The act number (1-based) of every beat, in order. */
export function actNumbers(outline: Outline): number[] {
  return outline.acts.flatMap((act, i) => act.beats.map(() => i + 1));
}

/** Who a beat is about: the names it lists, else the cast it mentions, else the protagonist. */
export function beatCharacters(beat: Beat, cast: readonly Character[]): string[] {
  const listed = castNamesOf(beat.characters ?? [], cast);
  if (listed.length > 0) return listed;
  const mentioned = castNamedIn(beat.summary, cast).map((c) => c.name);
  if (mentioned.length > 0) return mentioned;
  return cast.length > 0 ? [cast[0].name] : [];
}

/** Where a beat happens: its location when the setting knows it, else one named in its text, else one in turn. */
export function beatPlace(beat: Beat, index: number, places: readonly Location[]): Location {
  return (
    findPlace(beat.location ?? '', places) ??
    places.find((place) => new RegExp(`\\b${place.name.replace(/^the /i, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(beat.summary)) ??
    places[index % places.length]
  );
}

function clause(text: string): string {
  return lowerFirst(stripTrailingPunctuation(text));
}

export function cardFromBeat(beat: Beat, index: number, act: number, material: CardMaterial): SceneCard {
  const names = beatCharacters(beat, material.cast);
  const place = beatPlace(beat, index, material.places);
  const people = names.map((name) => material.cast.find((c) => c.name === name)).filter((c): c is Character => c !== undefined);
  const hero = people[0];
  const other = people[1];
  const heroName = hero?.name ?? 'The lead';
  const want = hero ? clause(withPronouns(hero.want, hero.pronouns)) : 'to get through the day';
  const flaw = hero ? clause(withPronouns(flawAsNoun(hero.flaw), hero.pronouns)) : 'doubt';
  const where = placePhrase(place.name);
  return {
    number: index + 1,
    heading: `${place.interior ? 'INT.' : 'EXT.'} ${place.name.toUpperCase()} - ${material.timeOf(index)}`,
    location: place.name,
    characters: names,
    act,
    beat: beat.summary,
    goal: `${heroName} wants ${want}.`,
    conflict: other ? `${other.name} stands in the way, and so does ${heroName}'s own ${flaw}.` : `${capitalize(flaw)} gets in ${heroName}'s way.`,
    turn: `The moment it turns: ${clause(beat.summary)}.`,
    outcome: `${capitalize(clause(beat.summary))}; after this, nothing is as it was for ${names.length > 1 ? names.join(' and ') : heroName}.`,
    subBeats: [
      `${heroName} arrives at ${where}${other ? ` and finds ${other.name}` : ''}.`,
      `${capitalize(clause(beat.summary))}.`,
      `${heroName} is left with what it costs.`,
    ],
    summary: `${capitalize(clause(beat.summary))}.`,
  };
}

export function cardsFromOutline(outline: Outline, material: CardMaterial): SceneCard[] {
  const acts = actNumbers(outline);
  return outline.acts.flatMap((a) => a.beats).map((beat, index) => cardFromBeat(beat, index, acts[index] ?? 1, material));
}
