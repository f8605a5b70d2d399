import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import { combineScores, createBalancer } from "#gateway/balancer/balancer.ts";
import { balancerMetrics } from "#gateway/balancer/metrics.ts";
import { buildStrategy } from "#gateway/balancer/strategies.ts";
import type { Strategy } from "#gateway/balancer/types.ts";
import { candidate, context, type FakeCandidate } from "./candidates.ts";

const { routing } = parseConfig(
  { routing: { spill: { queueDepth: 4, predictedLatencyMs: 1000 }, tiers: { tenants: { pinned: ["cpu"] } } } },
  "test",
  {},
);

function setup(nodes: FakeCandidate[]) {
  const metrics = new Registry();
  const balancer = createBalancer({
    candidates: () => nodes,
    routing,
    strategy: buildStrategy("latency"),
    metrics: balancerMetrics(metrics),
  });
  const pick = (tenant = "t") => balancer.pick({ model: "m", tenant, exclude: new Set() });
  return { balancer, pick, metrics };
}

describe("balancer", () => {
  it("stays on the GPU tier until every GPU node is saturated, then spills to CPU", async () => {
    const g1 = candidate("g1", { tier: "gpu", queueDepth: 4 });
    const g2 = candidate("g2", { tier: "gpu", queueDepth: 3 });
    const cpu = candidate("cpu");
    const { pick, metrics } = setup([g1, g2, cpu]);
    expect(pick()).toMatchObject({ tier: "gpu", spilled: false });
    g2.queueDepth = 4;
    expect(pick()).toMatchObject({ node: cpu, tier: "cpu", spilled: true });
    expect(await metrics.getSingleMetric("switchyard_balancer_spills_total")?.get()).toMatchObject({
      values: [{ labels: { from: "gpu", to: "cpu" }, value: 1 }],
    });
  });

  it("stays on a saturated GPU tier when the CPU tier is saturated too", () => {
    const { pick } = setup([candidate("g", { tier: "gpu", queueDepth: 9 }), candidate("c", { queueDepth: 9 })]);
    expect(pick()).toMatchObject({ tier: "gpu", spilled: false });
  });

  it("keeps a pinned tenant on its tier even when that tier is saturated", () => {
    const { pick } = setup([candidate("g", { tier: "gpu" }), candidate("c", { queueDepth: 99 })]);
    expect(pick("pinned")).toMatchObject({ tier: "cpu" });
  });

  it("skips a tier none of the nodes belongs to, and sees the tiers of a new node list", () => {
    let filtered = 0;
    const latency = buildStrategy("latency");
    const counting = { name: "counting", keep: () => ++filtered > 0 };
    const strategy: Strategy = { ...latency, filters: [counting, ...latency.filters] };
    let nodes = [candidate("c")];
    const balancer = createBalancer({ candidates: () => nodes, routing, strategy });
    const pick = () => balancer.pick({ model: "m", tenant: "t", exclude: new Set() });
    expect(pick()).toMatchObject({ tier: "cpu", spilled: true });
    // The default policy tries the GPU tier first; with no GPU node only the CPU tier ran the filter chain.
    expect(filtered).toBe(1);
    nodes = [candidate("c"), candidate("g", { tier: "gpu" })];
    expect(pick()).toMatchObject({ tier: "gpu", spilled: false });
  });

  it("records picks and samples per-stage timings", async () => {
    const { pick, metrics } = setup([candidate("a")]);
    for (let i = 0; i < 32; i++) pick();
    const text = await metrics.metrics();
    expect(text).toContain('switchyard_balancer_picks_total{strategy="latency",tier="cpu",node="a"} 32');
    // Timings are sampled: one pick in 16.
    expect(text).toContain('switchyard_balancer_stage_seconds_count{stage="score"} 2');
  });

  it("combines scorer outputs as a weighted mean", () => {
    const strategy: Strategy = {
      name: "t",
      filters: [],
      picker: { name: "p", pick: (c) => c[0] },
      scorers: [
        { scorer: { name: "one", score: (c) => c.map(() => 1) }, weight: 3 },
        { scorer: { name: "zero", score: (c) => c.map(() => 0) }, weight: 1 },
      ],
    };
    expect(combineScores(strategy, [candidate("a"), candidate("b")], context())).toEqual([0.75, 0.75]);
  });
});
