// With one slow node in a pool of three, the latency strategy moves traffic away from it.
import { describe, expect, it } from "vitest";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, consume, type Routing, runLoad, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("routing around a slow node", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  it("sends the slow node only a small share under the latency strategy", async () => {
    nodes = await Promise.all([
      startFakeNode("a", { delayMs: 5 }),
      startFakeNode("b", { delayMs: 5 }),
      startFakeNode("slow", { delayMs: 80 }),
    ]);
    routing = startRouting(nodes.map((n, i) => ({ id: ["a", "b", "slow"][i] as string, url: n.url })));
    const r = routing;
    await waitFor(() => r.registry.readiness().ready, "nodes probed healthy");
    const { failures } = await runLoad(200, 4, async () => consume(await r.forward(chat())));
    expect(failures).toEqual([]);
    const slowShare = (nodes[2]?.calls.length ?? 0) / 200;
    expect(slowShare).toBeLessThan(0.1);
    expect(nodes[0]?.calls.length).toBeGreaterThan(40);
    expect(nodes[1]?.calls.length).toBeGreaterThan(40);
  });
});
