import { describe, expect, it } from "vitest";
import { LatencyWindows, minSamples } from "#gateway/resilience/latency-window.ts";

describe("LatencyWindows", () => {
  it("has no quantile until enough samples arrived", () => {
    const windows = new LatencyWindows();
    for (let i = 0; i < minSamples - 1; i++) windows.record("m", 10);
    expect(windows.quantile("m", 0.95)).toBeUndefined();
    windows.record("m", 10);
    expect(windows.quantile("m", 0.95)).toBe(10);
  });

  it("computes the quantile of recent samples, per key", () => {
    const windows = new LatencyWindows();
    for (let i = 1; i <= 100; i++) windows.record("a", i);
    for (let i = 0; i < 50; i++) windows.record("b", 1000);
    expect(windows.quantile("a", 0.95)).toBe(96);
    expect(windows.quantile("a", 0.5)).toBe(51);
    expect(windows.quantile("b", 0.95)).toBe(1000);
  });

  it("keeps only the most recent samples", () => {
    const windows = new LatencyWindows();
    for (let i = 0; i < 600; i++) windows.record("m", 500);
    for (let i = 0; i < 600; i++) windows.record("m", 5);
    expect(windows.quantile("m", 0.99)).toBe(5);
  });
});
