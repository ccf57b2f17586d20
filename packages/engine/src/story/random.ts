// Deterministic randomness for the offline writers: the same inputs always give the same story.

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small, well-mixed seedable generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded generator with the picks the writers need. */
export class SeededRandom {
  readonly next: () => number;

  constructor(seed: string | number) {
    this.next = seededRandom(typeof seed === 'number' ? seed : hashString(seed));
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }
}

/** A seed string from the parts of the context a writer depends on (stable JSON of each part). */
export function seedOf(...parts: unknown[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part ?? null))).join('\u241e');
}

/** Attempts one rewrite may try (see `changedRewrite`); candidates take their attempts beyond each other's. */
const REWRITE_ATTEMPTS = 8;

/**
 * For offline rewrites: a rewrite asked for with notes must visibly change. `write(attempt)` is called
 * with attempt 0, 1, … (to salt the seed) until its output differs from `previous` (a few tries at most).
 * Candidate `variant` (of a node with `candidates`) salts its attempts apart from the others'.
 */
export function changedRewrite<T>(feedback: readonly string[], previous: unknown, write: (attempt: number) => T, variant = 0): T {
  const base = variant * REWRITE_ATTEMPTS;
  let output = write(base);
  if (feedback.length === 0 || previous === undefined) return output;
  for (let attempt = 1; attempt < REWRITE_ATTEMPTS && JSON.stringify(output) === JSON.stringify(previous); attempt++) output = write(base + attempt);
  return output;
}
