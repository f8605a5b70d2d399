import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import { tierPolicy, tierSaturated } from "#gateway/balancer/tiers.ts";
import { candidate } from "./candidates.ts";

const { routing } = parseConfig(
  {
    routing: {
      tiers: { default: ["gpu", "cpu"], models: { small: ["cpu", "gpu"] }, tenants: { batch: ["cpu"] } },
      spill: { queueDepth: 8, predictedLatencyMs: 100 },
    },
  },
  "test",
  {},
);

describe("tier policy", () => {
  it("takes the tenant's policy over the model's over the default", () => {
    const tierOrder = tierPolicy(routing.tiers);
    expect(tierOrder("big", "team")).toEqual(["gpu", "cpu"]);
    expect(tierOrder("small", "team")).toEqual(["cpu", "gpu"]);
    expect(tierOrder("small", "batch")).toEqual(["cpu"]);
  });

  it("gives a model or tenant named like an object's built-in property the default", () => {
    const tierOrder = tierPolicy(routing.tiers);
    expect(tierOrder("toString", "constructor")).toEqual(["gpu", "cpu"]);
  });
});

describe("tier saturation", () => {
  const now = 0;
  it("is saturated only when every node is past a threshold", () => {
    const deep = candidate("a", { queueDepth: 8 });
    const slow = candidate("b", { latency: 50, inflight: 1 }); // predicted 100
    const fine = candidate("c", { queueDepth: 7, latency: 10 });
    expect(tierSaturated([deep, slow], routing.spill, now)).toBe(true);
    expect(tierSaturated([deep, slow, fine], routing.spill, now)).toBe(false);
  });

  it("does not count a queue below the threshold as saturated", () => {
    expect(tierSaturated([candidate("a", { queueDepth: 7 })], routing.spill, now)).toBe(false);
  });
});
