// Sampling settings for the in-process models (local GGUF, transformers), with the defaults llama.cpp's own
// tools use, and the seed of each of n samples: a fixed seed gives n reproducible, different samples.
import { StoryloomError } from '../errors';
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

/**
 * How many tokens an answer may take: `wanted`, within the room the prompt leaves in the context. A prompt that
 * leaves too little is refused with the numbers; `explain(room)` says what the context is and what to do.
 */
export function answerBudget(contextSize: number, promptTokens: number, wanted: number | undefined, explain: (room: number) => string): number {
  const room = contextSize - promptTokens;
  const budget = wanted ?? room;
  if (room < Math.min(budget, MIN_ANSWER_ROOM) || room <= 0) {
    throw new StoryloomError('model_error', `the prompt is ${promptTokens} tokens but ${explain(Math.max(0, room))}`);
  }
  return Math.min(budget, room);
}
