// The `characters` node: the cast, written to the `characters` slot from the premise and the `logline` slot, the
// protagonist first, each with name, role, pronouns, age, description, want, flaw, voice, ties and a sample line.
// The offline writer fills a fixed order of dramatic roles with names more than two edits apart and seeded traits,
// keeps a protagonist's name and pronouns the premise gives, and renames a character a rewrite's notes mention.
import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { CastSchema, MAX_CHARACTERS, type Cast, type Character } from '../story/types';
import { buildPrompt, feedbackSections, loglineText, rewriteInstruction } from '../story/prompt';
import { PREMISE_INPUT, premiseOf, readLogline } from '../story/memory';
import { parseStored } from '../story/stored';
import { STYLE_INPUTS, systemFor } from '../story/style';
import { SeededRandom, changedRewrite, seedOf } from '../story/random';
import { protagonistDescription, protagonistName, protagonistPronouns } from '../story/premise';
import { FIRST_NAMES, NAME_PRONOUNS, ROLES, SURNAMES } from '../story/vocabulary';
import { capitalize, editDistance, withPronouns } from '../story/text';

const ConfigSchema = z.strictObject({
  count: z.number().int().min(1).max(MAX_CHARACTERS).default(4),
});
type Config = z.infer<typeof ConfigSchema>;

export function charactersPrompt(ctx: NodeContext<Config>): string {
  return buildPrompt(
    [
      { label: 'Logline', body: loglineText(readLogline(ctx.memory)) },
      { label: 'Premise', body: premiseOf(ctx.inputs, ctx.memory) },
      ...feedbackSections(ctx.feedback, ctx.previous ? JSON.stringify(ctx.previous, null, 2) : undefined),
    ],
    `Create the cast of this story: exactly ${ctx.config.count} characters, the protagonist first. Give each a ` +
      'distinct name (no two names alike in spelling or sound; keep any name and pronouns the premise gives), a role, ' +
      'a one-sentence description, what they want, their flaw, how they speak, their pronouns ("she/her", "he/him" ' +
      'or "they/them"), their age, their ties to the others by name, and one line they might say, in their voice.' +
      rewriteInstruction(ctx.feedback) +
      '\nAnswer as JSON: {"characters": [{"name", "role", "description", "want", "flaw", "voice", "pronouns", "age", "relationships", "sampleLine"}]}.',
  );
}

/** Names distinct from each other by more than two edits, so no reader (or review) confuses them. */
export function pickDistinctNames(random: SeededRandom, count: number, avoid: readonly string[] = [], first?: (name: string) => boolean): string[] {
  const chosen: string[] = [];
  const banned = avoid.map((name) => name.toLowerCase());
  const shuffled = random.shuffle(FIRST_NAMES);
  // The first pick honours `first` (the protagonist's pronouns), the rest come in shuffled order.
  const lead = first ? shuffled.find(first) : undefined;
  for (const candidate of lead ? [lead, ...shuffled.filter((name) => name !== lead)] : shuffled) {
    if (chosen.length === count) break;
    const lower = candidate.toLowerCase();
    if (banned.some((name) => editDistance(name, lower) <= 2)) continue;
    if (chosen.some((name) => editDistance(name.toLowerCase(), lower) <= 2)) continue;
    chosen.push(candidate);
  }
  // More characters than distinct first names: fall back to surnames, still distinct.
  for (const surname of SURNAMES) {
    if (chosen.length >= count) break;
    if (!chosen.some((name) => editDistance(name.toLowerCase(), surname.toLowerCase()) <= 2)) chosen.push(surname);
  }
  return chosen;
}

/** Cast names the feedback mentions: a rewrite with notes about a name replaces that character's name. */
function namesFlagged(feedback: readonly string[], previous: Cast | undefined): string[] {
  const text = feedback.join('\n').toLowerCase();
  return (previous?.characters ?? []).map((c) => c.name).filter((name) => text.includes(name.toLowerCase()));
}

/** The protagonist's age when the premise implies one ("a retired cartographer" → "late sixties"). */
function protagonistAge(premise: string): string | undefined {
  const lower = premise.toLowerCase();
  if (/\b(retired|elderly|old|aging|ageing|widow|widower|grandmother|grandfather)\b/.test(lower)) return 'late sixties';
  if (/\b(teenage|teenager|schoolgirl|schoolboy|student)\b/.test(lower)) return 'seventeen';
  if (/\b(child|girl|boy|kid)\b/.test(lower)) return 'ten';
  return undefined;
}

/**
 * The protagonist's ties, by the roles the cast's order gives (protagonist, antagonist, ally, …): leaning on the
 * ally, at odds with the antagonist, as the other characters' own ties say from their side.
 */
function heroTies(names: readonly string[]): string {
  const [, antagonist, ally] = names;
  if (!antagonist) return 'Alone, and used to it.';
  return ally ? `Leans on ${ally}; at odds with ${antagonist}.` : `At odds with ${antagonist}.`;
}

/** Offline: roles in a fixed dramatic order, names and traits picked by a seeded PRNG. */
export function offlineCharacters(ctx: NodeContext<Config>): Cast {
  return changedRewrite(ctx.feedback, ctx.previous, (attempt) => writeCast(ctx, attempt), ctx.variant);
}

function writeCast(ctx: NodeContext<Config>, attempt: number): Cast {
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const random = new SeededRandom(seedOf('characters', attempt, premise, logline, ctx.config.count, ctx.feedback));
  // The previous attempt is stored: it may be in an older shape.
  const previous = parseStored(CastSchema, ctx.previous).data;
  const flagged = namesFlagged(ctx.feedback, previous);
  // A premise that names its protagonist ("Mara returns…") keeps that name unless a note asks otherwise, and a
  // premise's "her" or "his" decides the protagonist's pronouns (and so which name fits).
  const named = protagonistName(premise);
  const keep = named && !flagged.includes(named) ? [named] : [];
  const heroPronouns = protagonistPronouns(premise) ?? (named ? NAME_PRONOUNS[named] : undefined);
  const fits = heroPronouns && keep.length === 0 ? (name: string) => NAME_PRONOUNS[name] === heroPronouns : undefined;
  const names = [...keep, ...pickDistinctNames(random, ctx.config.count - keep.length, [...flagged, ...keep], fits)];
  const hero = names[0];
  const pronounsOf = (name: string, index: number): string => (index === 0 && heroPronouns ? heroPronouns : NAME_PRONOUNS[name] ?? 'they/them');
  const heroPronounsUsed = pronounsOf(hero, 0);
  const characters: Character[] = names.map((name, index) => {
    // One protagonist; past the list of roles, supporting characters cycle through the others.
    const profile = index === 0 ? ROLES[0] : ROLES[1 + ((index - 1) % (ROLES.length - 1))];
    const role = index < ROLES.length ? profile.role : `supporting ${profile.role}`;
    const pronouns = pronounsOf(name, index);
    const description =
      index === 0
        ? `${protagonistDescription(premise)}, ${random.pick(['restless', 'stubborn', 'watchful', 'tired but unbowed'])}.`
        : `${capitalize(random.pick(profile.descriptions))}.`;
    const relationships =
      index === 0 ? heroTies(names) : `${capitalize(withPronouns(random.pick(profile.ties).replace(/\{hero\}/g, hero), heroPronounsUsed))}.`;
    return {
      name,
      role,
      description,
      want: capitalize(withPronouns(random.pick(profile.wants), pronouns)) + '.',
      flaw: capitalize(withPronouns(random.pick(profile.flaws), pronouns)) + '.',
      voice: capitalize(withPronouns(random.pick(profile.voices), pronouns)) + '.',
      pronouns,
      age: index === 0 ? protagonistAge(premise) ?? random.pick(profile.ages) : random.pick(profile.ages),
      relationships,
      sampleLine: random.pick(profile.lines),
    };
  });
  return { characters };
}

export const charactersNode: NodeType<Config, Cast> = {
  type: 'characters',
  title: 'Characters',
  description: 'The cast: name, role, pronouns, age, description, want, flaw, voice, ties to the others and a sample line for each character.',
  category: 'plan',
  configSchema: ConfigSchema,
  outputSchema: CastSchema,
  readsInputs: [PREMISE_INPUT, ...STYLE_INPUTS],
  reads: () => [{ slot: 'logline', description: 'Title and logline the cast serves.' }],
  writes: 'characters',
  usesModel: true,
  suggestedId: 'cast',
  run: (ctx) =>
    ctx.model.json({
      system: systemFor('characters', ctx.inputs),
      prompt: charactersPrompt(ctx),
      schema: CastSchema,
      offline: () => offlineCharacters(ctx),
    }),
};
