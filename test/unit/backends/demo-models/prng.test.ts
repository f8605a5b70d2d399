// Seeded weights are reproducible per tensor name and have the requested statistics.
import { describe, expect, it } from "vitest";
import { mulberry32, seedFromName, uniformTensor } from "#backends/demo-models/prng.ts";

describe("prng", () => {
  it("repeats the same stream for the same name and differs across names", () => {
    expect(uniformTensor(64, 1, "layer.0.weight")).toEqual(uniformTensor(64, 1, "layer.0.weight"));
    expect(uniformTensor(64, 1, "layer.0.weight")).not.toEqual(uniformTensor(64, 1, "layer.1.weight"));
    expect(seedFromName("a")).not.toBe(seedFromName("b"));
  });

  it("draws from [0, 1)", () => {
    const next = mulberry32(7);
    for (let i = 0; i < 10_000; i++) {
      const value = next();
      expect(value >= 0 && value < 1).toBe(true);
    }
  });

  it("has the requested mean and standard deviation", () => {
    const values = uniformTensor(100_000, 0.5, "stats", 1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(mean).toBeCloseTo(1, 2);
    expect(Math.sqrt(variance)).toBeCloseTo(0.5, 2);
  });
});
