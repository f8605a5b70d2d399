// OpenAI's logit knobs on one row of logits: bias added, penalties subtracted per generated count.
import { describe, expect, it } from "vitest";
import { adjustLogits, logitAdjustments, penalizes } from "#backends/models/logit-adjustments.ts";

describe("logit adjustments", () => {
  it("are absent when a request asks for none, so plain requests are sampled untouched", () => {
    expect(logitAdjustments(undefined, undefined, undefined)).toBeUndefined();
    expect(logitAdjustments({ "5": 0 }, 0, null)).toBeUndefined();
    expect(logitAdjustments({ "5": 3 }, null, null)).toEqual({ bias: [[5, 3]], presence: 0, frequency: 0 });
    expect(penalizes({ bias: [[5, 3]], presence: 0, frequency: 0 })).toBe(false);
    expect(penalizes({ bias: [], presence: 0, frequency: -0.5 })).toBe(true);
  });

  it("add bias and subtract count × frequency + presence, only inside the row at `offset`", () => {
    const logits = new Float32Array([9, 9, 9, 1, 1, 1, 1]);
    const counts = new Map([
      [0, 3],
      [2, 1],
    ]);
    adjustLogits(logits, 3, { bias: [[1, 2]], presence: 0.5, frequency: 0.25 }, counts);
    expect(Array.from(logits)).toEqual([9, 9, 9, 1 - 3 * 0.25 - 0.5, 3, 1 - 0.25 - 0.5, 1]);
  });
});
