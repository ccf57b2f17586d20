// Structured-output schemas built per call from the story so far: where a plan names characters or places,
// the schema lists the cast's and the setting's names as an enum, so a model that honours JSON schemas cannot
// invent "LAMP ROOM" or a first name. `prepare…` maps what a model wrote anyway (any case, first names, "the",
// an INT. prefix) onto those names before the schema judges it.
import { z } from 'zod';
import {
  ActSchema,
  BeatSchema,
  MAX_ACTS,
  MAX_CHARACTERS,
  MAX_SCENES,
  OutlineSchema,
  SceneCardSchema,
  SceneListSchema,
  type Outline,
  type SceneList,
} from './types';
import { findByName, findPlace } from './names';

/** A string that must be one of `names` (any non-empty string when there are none to choose from). */
export function nameSchema(names: readonly string[]): z.ZodType<string> {
  const distinct = [...new Set(names)];
  return distinct.length > 0 ? z.enum(distinct as [string, ...string[]]) : z.string().min(1);
}

function castListSchema(cast: readonly string[]) {
  return z.array(nameSchema(cast)).max(MAX_CHARACTERS);
}

export function outlineSchemaFor(cast: readonly string[], places: readonly string[]): z.ZodType<Outline> {
  if (cast.length === 0 && places.length === 0) return OutlineSchema;
  const beat = BeatSchema.extend({ characters: castListSchema(cast), location: nameSchema(places) });
  const act = ActSchema.extend({ beats: z.array(beat).max(MAX_SCENES) });
  return z.strictObject({ acts: z.array(act).min(1).max(MAX_ACTS) });
}

export function sceneListSchemaFor(cast: readonly string[], places: readonly string[]): z.ZodType<SceneList> {
  // The cards alone: the continuity facts kept beside them are read by a call of their own.
  if (cast.length === 0 && places.length === 0) return z.strictObject({ scenes: SceneListSchema.shape.scenes });
  const card = SceneCardSchema.extend({ characters: castListSchema(cast), location: nameSchema(places) });
  return z.strictObject({ scenes: z.array(card).min(1).max(MAX_SCENES) });
}

type Named = { name: string };

/** Cast names as the cast spells them; unknown names are kept as written (the schema then names the problem). */
function canonicalCast(value: unknown, cast: readonly Named[]): unknown {
  if (!Array.isArray(value) || cast.length === 0) return value;
  const names = value.map((name) => (typeof name === 'string' ? findByName(name, cast)?.name ?? name : name));
  return [...new Set(names)];
}

function canonicalPlace(value: unknown, places: readonly Named[]): unknown {
  if (typeof value !== 'string' || places.length === 0) return value;
  return findPlace(value, places)?.name ?? value;
}

/** Applies `fix` to every object of `list` under `key` (`acts[].beats[]`, `scenes[]`), leaving anything else be. */
function eachItem(value: unknown, path: readonly string[], fix: (item: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (path.length === 0) return value !== null && typeof value === 'object' && !Array.isArray(value) ? fix(value as Record<string, unknown>) : value;
  if (Array.isArray(value)) return value.map((item) => eachItem(item, path, fix));
  if (value === null || typeof value !== 'object') return value;
  const [key, ...rest] = path;
  const record = value as Record<string, unknown>;
  return key in record ? { ...record, [key]: Array.isArray(record[key]) ? (record[key] as unknown[]).map((item) => eachItem(item, rest, fix)) : record[key] } : record;
}

function namesFixer(cast: readonly Named[], places: readonly Named[]) {
  return (item: Record<string, unknown>): Record<string, unknown> => ({
    ...item,
    ...('characters' in item ? { characters: canonicalCast(item.characters, cast) } : {}),
    ...('location' in item ? { location: canonicalPlace(item.location, places) } : {}),
  });
}

export function prepareOutline(cast: readonly Named[], places: readonly Named[]): (value: unknown) => unknown {
  return (value) => eachItem(value, ['acts', 'beats'], namesFixer(cast, places));
}

export function prepareSceneList(cast: readonly Named[], places: readonly Named[]): (value: unknown) => unknown {
  return (value) => eachItem(value, ['scenes'], namesFixer(cast, places));
}
