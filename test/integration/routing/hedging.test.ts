// Hedging: a non-streaming request still waiting after the recent p95 gets a second attempt on another node;
// the first answer wins and the loser is cancelled.
import { describe, expect, it } from "vitest";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, consume, metricValue, type Routing, runLoad, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("hedging", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  it("answers from the fast node when the chosen node turns slow", async () => {
    nodes = await Promise.all([startFakeNode("a", { delayMs: 5 }), startFakeNode("b", { delayMs: 5 })]);
    routing = startRouting(
      nodes.map((n, i) => ({ id: `n${i}`, url: n.url })),
      { strategy: "round-robin", hedging: { enabled: true, quantile: 0.95, minDelayMs: 20 } },
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().ready, "ready");
    await runLoad(40, 2, async () => consume(await r.forward(chat()))); // fills the latency window

    (nodes[0] as FakeNode).behaviour.delayMs = 2000;
    const latencies: number[] = [];
    await runLoad(10, 1, async () => {
      const started = Date.now();
      await consume(await r.forward(chat()));
      latencies.push(Date.now() - started);
    });
    expect(Math.max(...latencies)).toBeLessThan(500);
    expect(await metricValue(r.metrics, "switchyard_routing_hedges_total", { event: "won" })).toBeGreaterThanOrEqual(5);
    // The slow node's abandoned attempts were cancelled, not left running in the gateway.
    await waitFor(() => r.registry.get("n0")?.inflight === 0, "losers cancelled");
  });

  it("does not hedge streams", async () => {
    nodes = await Promise.all([startFakeNode("a", { delayMs: 5 }), startFakeNode("b", { delayMs: 5 })]);
    routing = startRouting(
      nodes.map((n, i) => ({ id: `n${i}`, url: n.url })),
      { hedging: { enabled: true, minDelayMs: 1 } },
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().ready, "ready");
    await runLoad(40, 2, async () => consume(await r.forward(chat())));
    (nodes[0] as FakeNode).behaviour.delayMs = 200;
    (nodes[1] as FakeNode).behaviour.delayMs = 200;
    const launched = await metricValue(r.metrics, "switchyard_routing_hedges_total", { event: "launched" });
    await consume(await r.forward(chat({ stream: true })));
    expect(await metricValue(r.metrics, "switchyard_routing_hedges_total", { event: "launched" })).toBe(launched);
  });
});
