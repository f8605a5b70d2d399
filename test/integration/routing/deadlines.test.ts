// The whole request is bounded by its deadline: attempts stop (and the node's request is aborted) when it
// passes, no retry starts after it, and the client gets a 504.
import { describe, expect, it } from "vitest";
import { ClientClosedError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, type Routing, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("deadlines", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  it("stops a request at its deadline with a 504 and releases the node", async () => {
    nodes = [await startFakeNode("slow", { delayMs: 3000 })];
    routing = startRouting([{ id: "slow", url: nodes[0]?.url as string }]);
    const r = routing;
    const started = Date.now();
    const error = await r.forward(chat({ deadline: Date.now() + 150 })).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    expect(r.registry.get("slow")?.inflight).toBe(0);
    // A deadline is the request's budget, not the node's fault.
    expect(r.registry.get("slow")?.snapshot().breaker).toBe("closed");
  });

  it("does not start a retry after the deadline has passed", async () => {
    nodes = await Promise.all([startFakeNode("a", { delayMs: 3000 }), startFakeNode("b", { delayMs: 3000 })]);
    routing = startRouting(
      nodes.map((n, i) => ({ id: `n${i}`, url: n.url })),
      { deadlines: { firstTokenMs: 60_000 } },
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().ready, "ready");
    await expect(r.forward(chat({ deadline: Date.now() + 100 }))).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect((nodes[0]?.calls.length ?? 0) + (nodes[1]?.calls.length ?? 0)).toBe(1);
  });

  it("stops when the client goes away, without blaming the node", async () => {
    nodes = [await startFakeNode("slow", { delayMs: 3000 })];
    routing = startRouting([{ id: "slow", url: nodes[0]?.url as string }]);
    const r = routing;
    const client = new AbortController();
    const pending = r.forward(chat({ signal: client.signal }));
    await waitFor(() => (nodes[0]?.calls.length ?? 0) === 1, "request reached the node");
    client.abort(new ClientClosedError());
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    expect(r.registry.get("slow")?.inflight).toBe(0);
  });
});
