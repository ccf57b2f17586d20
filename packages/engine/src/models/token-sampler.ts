// Picks the next token from a row of logits the way llama.cpp does: repeat penalty over the recent tokens,
// then temperature (0 = the likeliest token), top-k, top-p, and a draw from a seedable generator. Used for
// the transformers backend, whose own sampler can be neither seeded nor told a repeat penalty.
import type { Sampling } from './in-process-sampling';

/** How many recent tokens the repeat penalty looks at (llama.cpp's default). */
export const REPEAT_PENALTY_WINDOW = 64;

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Tokens with a finite score, likeliest first, keeping the first `limit` that `allowed` lets through. */
function likeliest(scores: Float64Array, limit: number, allowed?: (token: number) => boolean): number[] {
  const sorted = Array.from(scores.keys())
    .filter((token) => Number.isFinite(scores[token]!))
    .sort((a, b) => scores[b]! - scores[a]!);
  if (!allowed) return sorted.slice(0, limit);
  const kept: number[] = [];
  for (const token of sorted) {
    if (kept.length >= limit) break;
    if (allowed(token)) kept.push(token);
  }
  return kept;
}

/**
 * The next token id, or -1 when `allowed` (a grammar's say, checked lazily from the likeliest token down) lets
 * no token through. `logits` is not modified.
 */
export function sampleToken(
  logits: ArrayLike<number>,
  recent: readonly number[],
  sampling: Sampling,
  random: () => number,
  allowed?: (token: number) => boolean,
): number {
  const scores = Float64Array.from(logits);
  if (sampling.repeatPenalty > 1) {
    for (const token of new Set(recent.slice(-REPEAT_PENALTY_WINDOW))) {
      const value = scores[token];
      if (value !== undefined) scores[token] = value > 0 ? value / sampling.repeatPenalty : value * sampling.repeatPenalty;
    }
  }
  if (sampling.temperature <= 0 && !allowed) return argmax(scores);
  const ranked = likeliest(scores, sampling.temperature <= 0 ? 1 : sampling.topK > 0 ? sampling.topK : Infinity, allowed);
  if (ranked.length === 0) return allowed ? -1 : argmax(scores);
  if (sampling.temperature <= 0) return ranked[0]!;
  const top = scores[ranked[0]!]!;
  const weights = ranked.map((token) => Math.exp((scores[token]! - top) / sampling.temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  // Keep the smallest prefix whose probability reaches topP.
  let kept = 0;
  let mass = 0;
  while (kept < weights.length && (kept === 0 || mass < sampling.topP * total)) mass += weights[kept++]!;
  let draw = random() * mass;
  for (let i = 0; i < kept; i++) {
    draw -= weights[i]!;
    if (draw <= 0) return ranked[i]!;
  }
  return ranked[kept - 1]!;
}
