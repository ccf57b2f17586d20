import { z } from 'zod';
import type { NodeContext, NodeType } from './types';
import { CastSchema, MAX_CHARACTERS, type Cast, type Character } from '../story/types';
import { buildPrompt, feedbackSections, loglineText, rewriteInstruction } from '../story/prompt';
import { PREMISE_INPUT, premiseOf, readLogline } from '../story/memory';
import { SeededRandom, changedRewrite, seedOf } from '../story/random';
import { protagonistDescription, protagonistName } from '../story/premise';
import { FIRST_NAMES, ROLES, SURNAMES } from '../story/vocabulary';
import { capitalize, editDistance } from '../story/text';

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
      'distinct name (no two names alike in spelling or sound), a role, a one-sentence description, what they want, ' +
      'their flaw and how they speak.' +
      rewriteInstruction(ctx.feedback) +
      '\nAnswer as JSON: {"characters": [{"name", "role", "description", "want", "flaw", "voice"}]}.',
  );
}

/** Names distinct from each other by more than two edits, so no reader (or review) confuses them. */
export function pickDistinctNames(random: SeededRandom, count: number, avoid: readonly string[] = []): string[] {
  const chosen: string[] = [];
  const banned = avoid.map((name) => name.toLowerCase());
  for (const candidate of random.shuffle(FIRST_NAMES)) {
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

/** Offline: roles in a fixed dramatic order, names and traits picked by a seeded PRNG. */
export function offlineCharacters(ctx: NodeContext<Config>): Cast {
  return changedRewrite(ctx.feedback, ctx.previous, (attempt) => writeCast(ctx, attempt));
}

function writeCast(ctx: NodeContext<Config>, attempt: number): Cast {
  const premise = premiseOf(ctx.inputs, ctx.memory);
  const logline = readLogline(ctx.memory);
  const random = new SeededRandom(seedOf('characters', attempt, premise, logline, ctx.config.count, ctx.feedback));
  const previous = CastSchema.safeParse(ctx.previous).data;
  const flagged = namesFlagged(ctx.feedback, previous);
  // A premise that names its protagonist ("Mara returns…") keeps that name unless a note asks otherwise.
  const named = protagonistName(premise);
  const keep = named && !flagged.includes(named) ? [named] : [];
  const names = [...keep, ...pickDistinctNames(random, ctx.config.count - keep.length, [...flagged, ...keep])];
  const characters: Character[] = names.map((name, index) => {
    // One protagonist; past the list of roles, supporting characters cycle through the others.
    const profile = index === 0 ? ROLES[0] : ROLES[1 + ((index - 1) % (ROLES.length - 1))];
    const role = index < ROLES.length ? profile.role : `supporting ${profile.role}`;
    const description =
      index === 0
        ? `${protagonistDescription(premise)}, ${random.pick(['restless', 'stubborn', 'watchful', 'tired but unbowed'])}.`
        : `${capitalize(random.pick(profile.descriptions))}.`;
    return {
      name,
      role,
      description,
      want: capitalize(random.pick(profile.wants)) + '.',
      flaw: capitalize(random.pick(profile.flaws)) + '.',
      voice: capitalize(random.pick(profile.voices)) + '.',
    };
  });
  return { characters };
}

export const charactersNode: NodeType<Config, Cast> = {
  type: 'characters',
  title: 'Characters',
  description: 'The cast: name, role, description, want, flaw and voice for each character.',
  category: 'plan',
  configSchema: ConfigSchema,
  outputSchema: CastSchema,
  readsInputs: [PREMISE_INPUT],
  reads: () => [{ slot: 'logline', description: 'Title and logline the cast serves.' }],
  writes: 'characters',
  usesModel: true,
  run: (ctx) =>
    ctx.model.json({ prompt: charactersPrompt(ctx), schema: CastSchema, offline: () => offlineCharacters(ctx) }),
};
