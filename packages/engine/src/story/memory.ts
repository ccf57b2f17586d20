// Typed reads of the story memory. A slot that is absent or does not have the expected shape reads as
// undefined, so optional context (setting, characters) simply drops out of prompts.
import type { z } from 'zod';
import { genreProfileNamed } from './premise';
import { cardsFromOutline } from './cards';
import type { RunInputs } from '../pipeline/schema';
import type { InputRead, StoryMemory } from '../nodes/types';
import {
  CastSchema,
  DialogueSchema,
  DraftSchema,
  LoglineSchema,
  OutlineSchema,
  SceneListSchema,
  SettingSchema,
  type Beat,
  type Cast,
  type Character,
  type Dialogue,
  type Draft,
  type Logline,
  type Outline,
  type SceneCard,
  type SceneList,
  type Setting,
} from './types';

function readSlot<T>(memory: StoryMemory, slot: string, schema: z.ZodType<T>): T | undefined {
  const parsed = schema.safeParse(memory[slot]);
  return parsed.success ? parsed.data : undefined;
}

export const readLogline = (memory: StoryMemory): Logline | undefined => readSlot(memory, 'logline', LoglineSchema);
export const readCast = (memory: StoryMemory): Cast | undefined => readSlot(memory, 'characters', CastSchema);
export const readSetting = (memory: StoryMemory): Setting | undefined => readSlot(memory, 'setting', SettingSchema);
export const readOutline = (memory: StoryMemory): Outline | undefined => readSlot(memory, 'outline', OutlineSchema);
export const readSceneList = (memory: StoryMemory): SceneList | undefined => readSlot(memory, 'scenes', SceneListSchema);
export const readDialogue = (memory: StoryMemory): Dialogue | undefined => readSlot(memory, 'dialogue', DialogueSchema);
export const readDraft = (memory: StoryMemory): Draft | undefined => readSlot(memory, 'draft', DraftSchema);

export function castOf(memory: StoryMemory): Character[] {
  return readCast(memory)?.characters ?? [];
}

/** What the story types read from the run inputs (see `premiseOf`), as the catalogue describes it. */
export const PREMISE_INPUT: InputRead = {
  input: 'premise',
  optional: true,
  description: 'The premise; without a `premise` input, the first text input, else the logline.',
};

/** The premise: the `premise` input, else the first text input, else the logline. */
export function premiseOf(inputs: RunInputs, memory: StoryMemory = {}): string {
  if (typeof inputs.premise === 'string' && inputs.premise.trim()) return inputs.premise.trim();
  const firstText = Object.values(inputs).find((value): value is string => typeof value === 'string' && value.trim() !== '');
  return firstText?.trim() ?? readLogline(memory)?.logline ?? 'A stranger arrives in a small town with a secret.';
}

export function beatsOf(outline: Outline): Beat[] {
  return outline.acts.flatMap((act) => act.beats);
}

/**
 * The scene cards a writer works from: the `scenes` slot, or else one card per outline beat (dialogue
 * and prose accept an outline alone) with the beat's own characters and place.
 */
export function sceneCardsOf(memory: StoryMemory): SceneCard[] {
  const list = readSceneList(memory);
  if (list) return list.scenes;
  const outline = readOutline(memory);
  if (!outline) return [];
  // Without a setting, the genre's stock places stand in.
  const logline = readLogline(memory);
  const places = readSetting(memory)?.locations ?? genreProfileNamed(logline?.genre, logline?.logline ?? '').places;
  return cardsFromOutline(outline, { cast: castOf(memory), places, timeOf: (index) => (index % 3 === 2 ? 'NIGHT' : 'DAY') });
}
