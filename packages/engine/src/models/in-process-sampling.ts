// Sampling settings for the in-process models (local GGUF, transformers), with the defaults llama.cpp's own
// tools use, and the seed of each of n samples: a fixed seed gives n reproducible, different samples.
import type { ModelSpecObject } from '../pipeline/schema';

export interface Sampling {
  temperature: number;
  topK: number;
  topP: number;
  /** 1 = off. */
  repeatPenalty: number;
  seed?: number;
  maxTokens?: number;
}

/** The fewest answer tokens a prompt must leave room for in the context before it is refused as too long. */
export const MIN_ANSWER_ROOM = 16;

export const DEFAULT_SAMPLING: Readonly<Sampling> = { temperature: 0.8, topK: 40, topP: 0.95, repeatPenalty: 1.1 };

export function samplingOf(spec: ModelSpecObject): Sampling {
  return {
    temperature: spec.temperature ?? DEFAULT_SAMPLING.temperature,
    topK: spec.topK ?? DEFAULT_SAMPLING.topK,
    topP: spec.topP ?? DEFAULT_SAMPLING.topP,
    repeatPenalty: spec.repeatPenalty ?? DEFAULT_SAMPLING.repeatPenalty,
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    ...(spec.maxTokens !== undefined ? { maxTokens: spec.maxTokens } : {}),
  };
}

/** Sample i of n: seed + i when a seed is set (so candidates differ yet repeat), else left random. */
export function sampleSeed(sampling: Sampling, index: number): number | undefined {
  return sampling.seed === undefined ? undefined : sampling.seed + index;
}
