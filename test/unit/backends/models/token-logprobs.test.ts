// Log-softmax of one row of logits: the sampled token's logprob and the top alternatives, most likely first.
import { describe, expect, it } from "vitest";
import { tokenLogprob } from "#backends/models/token-logprobs.ts";

describe("tokenLogprob", () => {
  it("is the log-softmax of the row at `offset`, with the top alternatives in order", () => {
    const row = [1, 3, 2, 0];
    const logits = new Float32Array([100, 100, 100, 100, ...row]);
    const normalizer = Math.log(row.reduce((sum, l) => sum + Math.exp(l), 0));
    const result = tokenLogprob(logits, 4, 4, 0, 3);
    expect(result.logprob).toBeCloseTo(1 - normalizer, 6);
    expect(result.top.map(([id]) => id)).toEqual([1, 2, 0]);
    expect(result.top[0]![1]).toBeCloseTo(3 - normalizer, 6);
    // Probabilities of the whole row sum to one.
    const all = tokenLogprob(logits, 4, 4, 0, 4).top.reduce((sum, [, lp]) => sum + Math.exp(lp), 0);
    expect(all).toBeCloseTo(1, 6);
  });

  it("gives no alternatives for top 0 and at most the vocabulary for a larger top", () => {
    const logits = new Float32Array([0, 1]);
    expect(tokenLogprob(logits, 0, 2, 1, 0).top).toEqual([]);
    expect(tokenLogprob(logits, 0, 2, 1, 5).top).toHaveLength(2);
  });

  it("stays finite for logits far from zero", () => {
    const logits = new Float32Array([1000, 999, -1000]);
    const { logprob, top } = tokenLogprob(logits, 0, 3, 2, 1);
    expect(Number.isFinite(top[0]![1])).toBe(true);
    expect(top[0]![1]).toBeCloseTo(-Math.log(1 + Math.exp(-1)), 5);
    expect(logprob).toBeLessThan(-1000);
  });
});
