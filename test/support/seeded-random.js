'use strict';
// mulberry32, a small seedable generator of numbers in [0, 1), for the plain-Node test helpers (the tiny model
// writers and the OpenAI-compatible stub server, which also runs as its own process): the engine has its own in
// story/random.ts, which these cannot load because it is TypeScript.

function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { seededRandom };
