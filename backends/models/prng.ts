// A small seeded PRNG per sequence (sfc32 seeded through splitmix32), so a request's seed alone decides its draws
// no matter which other sequences share the batch or in which order they are sampled.

export type Rng = () => number;

/** Returns uniform floats in [0, 1). Any finite integer seed works, negative or beyond 32 bits included. */
export function seededRng(seed: number): Rng {
  let state = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let counter = splitmix();
  return () => {
    const t = (((a + b) | 0) + counter) | 0;
    counter = (counter + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
