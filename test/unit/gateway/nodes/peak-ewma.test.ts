import { describe, expect, it } from "vitest";
import { PeakEwma } from "#gateway/nodes/peak-ewma.ts";

describe("PeakEwma", () => {
  it("has no estimate before the first observation", () => {
    expect(new PeakEwma(1000).estimate(0)).toBeUndefined();
  });

  it("jumps straight up to a slower observation", () => {
    const ewma = new PeakEwma(1000);
    ewma.observe(10, 0);
    ewma.observe(100, 1);
    expect(ewma.estimate(1)).toBeCloseTo(100, 0);
  });

  it("moves down towards faster observations at a rate set by the time between them", () => {
    const slowDecay = new PeakEwma(10_000);
    const fastDecay = new PeakEwma(100);
    for (const ewma of [slowDecay, fastDecay]) {
      ewma.observe(100, 0);
      ewma.observe(10, 100);
    }
    // Blend weight exp(-100/10000) keeps ~99% of the old value; exp(-100/100) keeps ~37%.
    expect(slowDecay.estimate(100)).toBeCloseTo(100 * Math.exp(-0.01) + 10 * (1 - Math.exp(-0.01)), 5);
    expect(fastDecay.estimate(100)).toBeCloseTo(100 * Math.exp(-1) + 10 * (1 - Math.exp(-1)), 5);
  });

  it("fades while idle so a once-slow node is tried again", () => {
    const ewma = new PeakEwma(1000);
    ewma.observe(90, 0);
    expect(ewma.estimate(1000)).toBeCloseTo(90 * Math.exp(-1), 5);
    expect(ewma.estimate(5000)).toBeLessThan(1);
  });

  it("lets a lower bound raise the estimate but never lower it", () => {
    const ewma = new PeakEwma(1000);
    ewma.observe(50, 0);
    ewma.observeAtLeast(20, 0);
    expect(ewma.estimate(0)).toBe(50);
    ewma.observeAtLeast(80, 0);
    expect(ewma.estimate(0)).toBe(80);
  });
});
