// Length-aware splitting of encoder batches: every input lands in exactly one group, groups are sorted by length,
// and no group pads beyond the allowed slack (unless it holds a single input).
import { describe, expect, it } from "vitest";
import { paddingGroups } from "#backends/batching/padding-groups.ts";

describe("padding groups", () => {
  it("keeps equal lengths together in one group", () => {
    expect(paddingGroups([5, 5, 5, 5])).toEqual([[0, 1, 2, 3]]);
  });

  it("separates very different lengths and orders groups shortest first", () => {
    expect(paddingGroups([100, 3, 4, 98])).toEqual([
      [1, 2],
      [3, 0],
    ]);
  });

  it("covers every index once and respects the slack", () => {
    let seed = 7;
    const lengths = Array.from({ length: 64 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 8 + (seed % 15);
    });
    const groups = paddingGroups(lengths, 1.2);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const group of groups) {
      const sizes = group.map((i) => lengths[i]!);
      const padded = group.length * Math.max(...sizes);
      const real = sizes.reduce((a, b) => a + b, 0);
      if (group.length > 1) expect(padded).toBeLessThanOrEqual(1.2 * real);
    }
    // Far fewer groups than inputs: batching is kept.
    expect(groups.length).toBeLessThan(12);
  });

  it("returns no groups for no inputs", () => {
    expect(paddingGroups([])).toEqual([]);
  });
});
