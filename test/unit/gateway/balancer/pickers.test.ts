import { describe, expect, it } from "vitest";
import { bestScorePicker } from "#gateway/balancer/pickers/best-score.ts";
import { powerOfTwoPicker } from "#gateway/balancer/pickers/power-of-two.ts";
import { roundRobinPicker } from "#gateway/balancer/pickers/round-robin.ts";
import { candidate, context, sequence } from "./candidates.ts";

const ctx = context();
const five = ["a", "b", "c", "d", "e"].map((id) => candidate(id));

describe("power-of-two picker", () => {
  it("compares two distinct random candidates and takes the better one", () => {
    // random 0.0 → index 0; then 0.5 → offset 1 + floor(0.5 × 4) = 3 → index 3.
    const picker = powerOfTwoPicker(sequence(0, 0.5));
    expect(picker.pick(five, [0.1, 0.9, 0.9, 0.6, 0.9], ctx)?.id).toBe("d");
  });

  it("never compares a candidate with itself", () => {
    const picker = powerOfTwoPicker(sequence(0.99, 0.99));
    // a = 4, b = (4 + 1 + 3) % 5 = 3
    expect(picker.pick(five, [0, 0, 0, 0.5, 0.4], ctx)?.id).toBe("d");
  });

  it("compares every candidate in a small pool, where sampling would miss the best", () => {
    const picker = powerOfTwoPicker(sequence(0, 0), 4);
    const three = five.slice(0, 3);
    expect(picker.pick(three, [0.2, 0.1, 0.9], ctx)?.id).toBe("c");
  });

  it("handles zero and one candidates", () => {
    const picker = powerOfTwoPicker();
    expect(picker.pick([], [], ctx)).toBeUndefined();
    expect(picker.pick([five[0]!], [], ctx)?.id).toBe("a");
  });
});

describe("round-robin picker", () => {
  it("cycles through the candidates in id order whatever order they come in", () => {
    const picker = roundRobinPicker();
    const shuffled = [five[2]!, five[0]!, five[1]!];
    const picks = Array.from({ length: 6 }, () => picker.pick(shuffled, [], ctx)?.id);
    expect(new Set(picks.slice(0, 3))).toEqual(new Set(["a", "b", "c"]));
    expect(picks.slice(3)).toEqual(picks.slice(0, 3));
  });
});

describe("weighted round-robin picker", () => {
  it("shares picks in proportion to weight, interleaved rather than in bursts", () => {
    const picker = roundRobinPicker();
    const nodes = [candidate("a", { weight: 2 }), candidate("b", { weight: 1 })];
    const picks = Array.from({ length: 9 }, () => picker.pick(nodes, [], ctx)?.id);
    expect(picks.join("")).toBe("abaabaaba");
  });

  it("forgets a node that leaves and treats one that returns fairly", () => {
    const picker = roundRobinPicker();
    const [a, b, c] = [candidate("a"), candidate("b"), candidate("c")];
    for (let i = 0; i < 50; i++) picker.pick([a, b], [], ctx);
    const picks = Array.from({ length: 30 }, () => picker.pick([a, b, c], [], ctx)?.id);
    for (const id of ["a", "b", "c"]) expect(picks.filter((p) => p === id)).toHaveLength(10);
  });
});

describe("best-score picker", () => {
  it("takes the highest score", () => {
    expect(bestScorePicker().pick(five, [0.1, 0.2, 0.9, 0.3, 0.4], ctx)?.id).toBe("c");
  });

  it("breaks ties at random among the best only", () => {
    expect(bestScorePicker(sequence(0)).pick(five, [1, 0, 1, 0, 1], ctx)?.id).toBe("a");
    expect(bestScorePicker(sequence(0.99)).pick(five, [1, 0, 1, 0, 1], ctx)?.id).toBe("e");
  });
});
