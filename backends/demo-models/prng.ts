// Seeded pseudo-random weights: every tensor gets its own stream derived from its name, so output is byte-identical.

/** FNV-1a over the UTF-16 code units of `text`: a stable 32-bit seed per tensor name. */
export function seedFromName(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: tiny, fast and good enough for weights; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` values uniform in [mean - std·√3, mean + std·√3), i.e. with the given mean and standard deviation. */
export function uniformTensor(count: number, std: number, seedName: string, mean = 0): Float32Array {
  const next = mulberry32(seedFromName(seedName));
  const halfWidth = std * Math.sqrt(3);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + (next() * 2 - 1) * halfWidth;
  return out;
}
