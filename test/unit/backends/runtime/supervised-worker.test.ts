// The restart backoff: a model that keeps crashing is retried ever more slowly, never faster than initialMs and
// never slower than maxMs.
import { describe, expect, it } from "vitest";
import { restartDelayMs } from "#backends/runtime/supervised-worker.ts";

describe("restartDelayMs", () => {
  it("doubles from initialMs and stops at maxMs", () => {
    const backoff = { initialMs: 100, maxMs: 10_000 };
    const delays = Array.from({ length: 10 }, (_, attempt) => restartDelayMs(attempt, backoff));
    expect(delays).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000]);
  });

  it("stays finite after very many attempts", () => {
    expect(restartDelayMs(5_000, { initialMs: 100, maxMs: 10_000 })).toBe(10_000);
  });
});
