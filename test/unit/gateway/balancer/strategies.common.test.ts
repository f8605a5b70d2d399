// One suite every routing strategy must pass (as Hono does for its routers): the filters hold whatever the
// scoring, picks spread over equal nodes, and tiers are honoured. Strategy-specific behaviour follows below.
import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import { createBalancer } from "#gateway/balancer/balancer.ts";
import { buildStrategy, builtInStrategies } from "#gateway/balancer/strategies.ts";
import { candidate, type FakeCandidate } from "./candidates.ts";

const routing = parseConfig({}, "test", {}).routing;

function balancerFor(name: string, nodes: FakeCandidate[]) {
  return createBalancer({ candidates: () => nodes, routing, strategy: buildStrategy(name) });
}

function picks(
  name: string,
  nodes: FakeCandidate[],
  count: number,
  exclude: ReadonlySet<string> = new Set(),
): string[] {
  const balancer = balancerFor(name, nodes);
  return Array.from({ length: count }, () => balancer.pick({ model: "m", tenant: "t", exclude })?.node.id ?? "none");
}

for (const name of builtInStrategies().keys()) {
  describe(`strategy ${name}: common behaviour`, () => {
    it("only picks nodes that serve the model", () => {
      const nodes = [candidate("a", { models: ["other"] }), candidate("b"), candidate("c", { models: ["x", "m"] })];
      expect(new Set(picks(name, nodes, 50))).toEqual(new Set(["b", "c"]));
    });

    it("never picks drained, unhealthy, breaker-open, backing-off or already-tried nodes", () => {
      const nodes = [
        candidate("drained", { drained: true }),
        candidate("sick", { healthy: false }),
        candidate("open", { breakerAdmits: false }),
        candidate("busy", { backoffUntil: Date.now() + 60_000 }),
        candidate("tried"),
        candidate("ok"),
      ];
      expect(new Set(picks(name, nodes, 50, new Set(["tried"])))).toEqual(new Set(["ok"]));
    });

    it("returns nothing when no node can take the request", () => {
      expect(picks(name, [candidate("a", { healthy: false })], 1)).toEqual(["none"]);
      expect(picks(name, [], 1)).toEqual(["none"]);
    });

    it("spreads requests over equal nodes", () => {
      const counts = new Map<string, number>();
      for (const id of picks(
        name,
        [candidate("a"), candidate("b"), candidate("c"), candidate("d"), candidate("e")],
        500,
      )) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      expect(counts.size).toBe(5);
      for (const count of counts.values()) expect(count).toBeGreaterThan(50);
    });

    it("prefers the first tier of the policy and uses the next one when the first has no usable node", () => {
      const gpu = candidate("gpu", { tier: "gpu" });
      const cpu = candidate("cpu", { tier: "cpu" });
      expect(new Set(picks(name, [cpu, gpu], 20))).toEqual(new Set(["gpu"]));
      gpu.healthy = false;
      const balancer = balancerFor(name, [cpu, gpu]);
      expect(balancer.pick({ model: "m", tenant: "t", exclude: new Set() })).toMatchObject({
        node: cpu,
        tier: "cpu",
        spilled: true,
      });
    });
  });
}

describe("strategy-specific choices", () => {
  it("latency avoids the node with the worst latency × (in-flight + 1)", () => {
    const nodes = [
      candidate("fast", { latency: 10 }),
      candidate("slow", { latency: 100 }),
      candidate("mid", { latency: 20, inflight: 1 }),
    ];
    const chosen = picks("latency", nodes, 200);
    expect(chosen.filter((id) => id === "slow")).toHaveLength(0);
    expect(chosen.filter((id) => id === "fast").length).toBeGreaterThan(150);
  });

  it("least-inflight always takes the idlest node", () => {
    const nodes = [candidate("a", { inflight: 3 }), candidate("b", { inflight: 1 }), candidate("c", { inflight: 2 })];
    expect(new Set(picks("least-inflight", nodes, 50))).toEqual(new Set(["b"]));
  });

  it("round-robin gives equal nodes equal shares regardless of load", () => {
    const nodes = [candidate("a", { inflight: 9, latency: 500 }), candidate("b"), candidate("c")];
    const chosen = picks("round-robin", nodes, 300);
    for (const id of ["a", "b", "c"]) expect(chosen.filter((x) => x === id)).toHaveLength(100);
  });

  it("refuses a strategy name nobody registered", () => {
    expect(() => buildStrategy("fastest-please")).toThrow(/unknown routing strategy/);
  });
});
