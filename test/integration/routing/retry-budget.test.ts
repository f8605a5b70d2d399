// The retry budget caps retries against a failing pool (no retry storm), and Retry-After keeps new requests
// away from a node that asked for a pause.
import { describe, expect, it } from "vitest";
import { UpstreamError } from "#gateway/openai/errors.ts";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, consume, metricValue, type Routing, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("retry budget and Retry-After", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  it("allows only budgetRatio × requests + minPerSecond × window retries when every node fails", async () => {
    nodes = await Promise.all([startFakeNode("a", { failStatus: 500 }), startFakeNode("b", { failStatus: 500 })]);
    routing = startRouting(
      nodes.map((n, i) => ({ id: `n${i}`, url: n.url })),
      {
        retries: { maxAttempts: 2, budgetRatio: 0.1, minPerSecond: 0.2 },
        // Keep breakers out of the way: this test is about the budget alone.
        breaker: { volumeThreshold: 10_000 },
      },
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().ready, "ready");
    let failed = 0;
    for (let i = 0; i < 40; i++) await r.forward(chat()).catch((e: unknown) => e instanceof UpstreamError && failed++);
    expect(failed).toBe(40);
    // 10 s window: 0.2/s × 10 s = 2, plus 10% of 40 requests = 4 (the budget grows as requests arrive).
    const calls = (nodes[0]?.calls.length ?? 0) + (nodes[1]?.calls.length ?? 0);
    const retries = await metricValue(r.metrics, "switchyard_routing_retries_total");
    expect(calls).toBe(40 + retries);
    expect(retries).toBeGreaterThanOrEqual(5);
    expect(retries).toBeLessThanOrEqual(6);
    expect(await metricValue(r.metrics, "switchyard_routing_retry_budget_exhausted_total")).toBe(40 - retries);
  });

  it("retries a 429 on another node and sends nothing to it until Retry-After has passed", async () => {
    nodes = await Promise.all([startFakeNode("busy", { failStatus: 429, retryAfter: "30" }), startFakeNode("ok")]);
    routing = startRouting(
      nodes.map((n, i) => ({ id: ["busy", "ok"][i] as string, url: n.url })),
      { strategy: "round-robin" },
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().ready, "ready");
    for (let i = 0; i < 10; i++) await consume(await r.forward(chat()));
    expect(nodes[0]?.calls).toHaveLength(1);
    expect(nodes[1]?.calls).toHaveLength(10);
    const busy = r.registry.get("busy")?.snapshot();
    expect(busy?.backoffUntil).toBeGreaterThan(Date.now() + 25_000);
    expect(busy?.breaker).toBe("closed");
  });

  it("passes the node's 429 and Retry-After on when every node is busy", async () => {
    nodes = [await startFakeNode("busy", { failStatus: 429, retryAfter: "7" })];
    routing = startRouting([{ id: "busy", url: nodes[0]?.url as string }]);
    const r = routing;
    const first = (await r.forward(chat()).catch((e: unknown) => e)) as UpstreamError;
    expect(first.status).toBe(429);
    expect(first.headers["retry-after"]).toBe("7");
    // Now the node is backing off: the gateway answers by itself, telling the client when to come back.
    const second = (await r.forward(chat()).catch((e: unknown) => e)) as UpstreamError;
    expect(second.status).toBe(503);
    expect(Number(second.headers["retry-after"])).toBeGreaterThanOrEqual(6);
    expect(nodes[0]?.calls).toHaveLength(1);
  });
});
