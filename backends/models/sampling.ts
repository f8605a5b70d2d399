// Picks the next token from one row of logits: greedy at temperature 0, otherwise temperature-scaled softmax
// restricted by top_k and top_p, drawn with the sequence's own PRNG. Works in O(vocab) except for the nucleus,
// where only the tokens that can possibly belong to it are sorted.
import type { Rng } from "./prng.ts";

export type SamplingParams = {
  temperature: number;
  topP: number;
  /** 0 disables top-k. */
  topK: number;
};

export function sampleToken(
  logits: Float32Array,
  offset: number,
  vocab: number,
  params: SamplingParams,
  rng: Rng,
): number {
  if (params.temperature <= 0 || params.topK === 1 || params.topP <= 0) return argmax(logits, offset, vocab);
  let candidates = params.topK > 0 && params.topK < vocab ? topK(logits, offset, vocab, params.topK) : null;
  const count = candidates ? candidates.length : vocab;
  const at = (i: number) => (candidates ? candidates[i]! : i);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) max = Math.max(max, logits[offset + at(i)]!);
  const probs = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    probs[i] = Math.exp((logits[offset + at(i)]! - max) / params.temperature);
    total += probs[i]!;
  }
  if (params.topP < 1) {
    const nucleus = nucleusOf(probs, total * params.topP);
    candidates = Int32Array.from(nucleus, (i) => at(i));
    const kept = Float64Array.from(nucleus, (i) => probs[i]!);
    return draw(kept, candidates, rng);
  }
  return draw(probs, candidates, rng);
}

export function argmax(logits: Float32Array, offset: number, vocab: number): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < vocab; i++) {
    const v = logits[offset + i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

function draw(probs: Float64Array, ids: Int32Array | null, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i]!;
  let u = rng() * total;
  for (let i = 0; i < probs.length; i++) {
    u -= probs[i]!;
    if (u < 0) return ids ? ids[i]! : i;
  }
  const last = probs.length - 1;
  return ids ? ids[last]! : last;
}

/** The k largest logits' indices (any order), via a size-k min-heap. */
export function topK(logits: Float32Array, offset: number, vocab: number, k: number): Int32Array {
  const heap = new Int32Array(k);
  const value = (i: number) => logits[offset + heap[i]!]!;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < k && value(l) < value(smallest)) smallest = l;
      if (r < k && value(r) < value(smallest)) smallest = r;
      if (smallest === i) return;
      const tmp = heap[i]!;
      heap[i] = heap[smallest]!;
      heap[smallest] = tmp;
      i = smallest;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i);
  for (let i = k; i < vocab; i++) {
    if (logits[offset + i]! > value(0)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap;
}

/**
 * Indices of the smallest set of most probable tokens whose mass reaches `target`. Tokens below a threshold t
 * all rank after every token at or above t, so once the tokens ≥ t carry the target mass, only they need sorting.
 */
function nucleusOf(probs: Float64Array, target: number): number[] {
  let max = 0;
  for (let i = 0; i < probs.length; i++) max = Math.max(max, probs[i]!);
  for (let fraction = 0.1; ; fraction /= 16) {
    const threshold = fraction < 1e-12 ? 0 : max * fraction;
    const picked: number[] = [];
    let mass = 0;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i]! >= threshold) {
        picked.push(i);
        mass += probs[i]!;
      }
    }
    if (mass < target && threshold > 0) continue;
    picked.sort((a, b) => probs[b]! - probs[a]! || a - b);
    let cumulative = 0;
    for (let n = 0; n < picked.length; n++) {
      cumulative += probs[picked[n]!]!;
      if (cumulative >= target) return picked.slice(0, n + 1);
    }
    return picked;
  }
}
