// Reading the names a model writes back onto the story bible's own: a model says "MARA", "Mara" or "Mara Quill"
// for the cast member Mara Quill, and "LAMP ROOM" for the location "The Lamp Room". Every reader of cast and
// place names (scene cards, screenplay cues, review checks) matches through here, so they all agree.

/** One spelling of a name for comparing: one Unicode normal form, typographic apostrophes plain, upper case. */
export function comparableName(name: string): string {
  return name.normalize('NFC').replace(/’/g, "'").trim().replace(/\s+/g, ' ').toUpperCase();
}

function firstWord(name: string): string {
  return comparableName(name).split(' ')[0] ?? '';
}

/** A place name without the article or screenplay prefix a writer may add: "INT. THE LAMP ROOM" → "LAMP ROOM". */
function barePlace(name: string): string {
  return comparableName(name)
    .replace(/^(INT\.?\/EXT\.?|I\/E|INT\.|EXT\.|EST\.)\s*/, '')
    .replace(/\s+-\s+[A-Z ]+$/, '')
    .replace(/^THE\s+/, '');
}

/** The item named `written`: the full name in any case, else the only one whose first name it is. */
export function findByName<T extends { name: string }>(written: string, items: readonly T[]): T | undefined {
  const wanted = comparableName(written);
  if (wanted === '') return undefined;
  const exact = items.find((item) => comparableName(item.name) === wanted);
  if (exact) return exact;
  const byFirst = items.filter((item) => firstWord(item.name) === wanted);
  return byFirst.length === 1 ? byFirst[0] : undefined;
}

/** The location named `written`: as `findByName`, and also without "the" or an INT./EXT. prefix. */
export function findPlace<T extends { name: string }>(written: string, places: readonly T[]): T | undefined {
  const found = findByName(written, places);
  if (found) return found;
  const wanted = barePlace(written);
  if (wanted === '') return undefined;
  return places.find((place) => barePlace(place.name) === wanted);
}

/** Cast names as the cast spells them, for names written any which way; unknown names are dropped, repeats once. */
export function castNamesOf(written: readonly string[], cast: readonly { name: string }[]): string[] {
  const names = written.map((name) => findByName(name, cast)?.name).filter((name): name is string => name !== undefined);
  return [...new Set(names)];
}

/** Cast members whose full or first name appears as a word in `text`, in cast order. */
export function castNamedIn<T extends { name: string }>(text: string, cast: readonly T[]): T[] {
  const upper = ` ${comparableName(text).replace(/[^\p{L}\p{M}\p{N}']+/gu, ' ')} `;
  return cast.filter((member) => upper.includes(` ${comparableName(member.name)} `) || upper.includes(` ${firstWord(member.name)} `));
}
