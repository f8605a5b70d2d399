// Token sampling: greedy cases, top-k / top-p restrictions, temperature, and per-seed reproducibility.
import { describe, expect, it } from "vitest";
import { seededRng } from "#backends/models/prng.ts";
import { argmax, type SamplingParams, sampleToken } from "#backends/models/sampling.ts";

const logits = Float32Array.from([0.1, 2.0, -1.0, 1.5, 0.5, 1.9]);
const params = (p: Partial<SamplingParams>): SamplingParams => ({ temperature: 1, topP: 1, topK: 0, ...p });
const draws = (p: SamplingParams, n: number, seed = 1) => {
  const rng = seededRng(seed);
  return Array.from({ length: n }, () => sampleToken(logits, 0, logits.length, p, rng));
};

describe("sampling", () => {
  it("is greedy at temperature 0, top_k 1 or top_p 0", () => {
    expect(argmax(logits, 0, logits.length)).toBe(1);
    for (const p of [params({ temperature: 0 }), params({ topK: 1 }), params({ topP: 0 })])
      expect(new Set(draws(p, 50))).toEqual(new Set([1]));
  });

  it("reads the right row of a batch", () => {
    const batch = Float32Array.from([...logits, 5, 0, 0, 0, 0, 0]);
    expect(sampleToken(batch, 6, 6, params({ temperature: 0 }), seededRng(1))).toBe(0);
  });

  it("restricts draws to the k most likely tokens", () => {
    expect(new Set(draws(params({ topK: 2 }), 400))).toEqual(new Set([1, 5]));
  });

  it("restricts draws to the nucleus: the fewest tokens reaching top_p of the mass", () => {
    // Softmax mass: token 1 ≈ 0.33, token 5 ≈ 0.30, token 3 ≈ 0.20 — 0.5 needs two tokens, 0.7 three.
    expect(new Set(draws(params({ topP: 0.5 }), 400))).toEqual(new Set([1, 5]));
    expect(new Set(draws(params({ topP: 0.7 }), 400))).toEqual(new Set([1, 5, 3]));
  });

  it("finds the nucleus exactly over a large flat vocabulary", () => {
    const flat = new Float32Array(50_000).fill(0);
    flat[123] = 20;
    flat[456] = 19.5;
    const rng = seededRng(3);
    const seen = new Set(
      Array.from({ length: 200 }, () => sampleToken(flat, 0, flat.length, params({ topP: 0.9 }), rng)),
    );
    expect(seen).toEqual(new Set([123, 456]));
  });

  it("follows the softmax distribution at temperature 1 and sharpens it at low temperature", () => {
    const n = 4000;
    const counts = (p: SamplingParams) =>
      draws(p, n, 11).reduce((c, t) => c.set(t, (c.get(t) ?? 0) + 1), new Map<number, number>());
    const z = Array.from(logits, Math.exp).reduce((a, b) => a + b, 0);
    expect(counts(params({})).get(1)! / n).toBeCloseTo(Math.exp(2) / z, 1);
    expect(counts(params({ temperature: 0.2 })).get(1)! / n).toBeGreaterThan(0.55);
  });

  it("repeats exactly for the same seed and differs for another", () => {
    const p = params({ temperature: 1.5 });
    expect(draws(p, 64, 42)).toEqual(draws(p, 64, 42));
    expect(draws(p, 64, 42)).not.toEqual(draws(p, 64, 43));
  });
});

describe("seeded rng", () => {
  it("yields uniform floats in [0, 1) for any integer seed", () => {
    for (const seed of [0, -7, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
      const rng = seededRng(seed);
      const values = Array.from({ length: 1000 }, rng);
      expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
      expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(0.5, 1);
    }
    expect(seededRng(2 ** 40 + 3)()).not.toBe(seededRng(3)());
  });
});
