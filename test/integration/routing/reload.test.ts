// Hot reload and drain: nodes that stay keep their history, new nodes take traffic, removed nodes finish what
// they have in flight (their pool closes afterwards) and get nothing new; drained nodes get nothing new.
import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, consume, type Routing, runLoad, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("reload and drain", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  it("keeps state of nodes that stay, adds new ones and lets removed ones finish in-flight streams", async () => {
    let release = () => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    nodes = await Promise.all([
      startFakeNode("a"),
      startFakeNode("b", { holdAfterFirstChunk: hold }),
      startFakeNode("c"),
    ]);
    const [a, b, c] = nodes as [FakeNode, FakeNode, FakeNode];
    routing = startRouting([
      { id: "a", url: a.url },
      { id: "b", url: b.url },
    ]);
    const r = routing;
    await waitFor(() => r.registry.readiness().models.m?.healthy === 2, "ready");
    r.registry.drain("a");
    const stream = await r.forward(chat({ stream: true }));
    expect(b.calls).toHaveLength(1);
    r.registry.undrain("a");
    await runLoad(10, 1, async () => consume(await r.forward(chat())));
    const nodeA = r.registry.get("a");
    const latencyBefore = nodeA?.latency.estimate();
    expect(latencyBefore).toBeDefined();

    const reloaded = parseConfig(
      {
        nodes: [
          { id: "a", url: a.url, models: ["m"] },
          { id: "c", url: c.url, models: ["m"] },
        ],
      },
      "reload",
      {},
    );
    r.registry.update(reloaded.nodes, r.config.routing);
    expect(r.registry.get("a")).toBe(nodeA);
    expect(r.registry.snapshot().find((n) => n.id === "b")).toMatchObject({ retiring: true, inflight: 1 });
    expect(r.registry.models()).toEqual(["m"]);

    const bCalls = b.calls.length;
    await runLoad(20, 2, async () => consume(await r.forward(chat())));
    expect(b.calls.length).toBe(bCalls);
    expect(c.calls.length).toBeGreaterThan(0);

    release();
    const events = await consume(stream);
    expect(events.at(-1)).toBe("[DONE]");
    await waitFor(() => !r.registry.snapshot().some((n) => n.id === "b"), "retired node closed after its stream");
  });

  it("sends nothing new to a drained node and reports it in the snapshot and readiness", async () => {
    nodes = await Promise.all([startFakeNode("a"), startFakeNode("b")]);
    const [a, b] = nodes as [FakeNode, FakeNode];
    routing = startRouting([
      { id: "a", url: a.url },
      { id: "b", url: b.url },
    ]);
    const r = routing;
    await waitFor(() => r.registry.readiness().models.m?.healthy === 2, "ready");
    expect(r.registry.drain("b")).toBe(true);
    expect(r.registry.drain("nope")).toBe(false);
    await runLoad(20, 2, async () => consume(await r.forward(chat())));
    expect(b.calls).toHaveLength(0);
    expect(r.registry.snapshot().find((n) => n.id === "b")?.drained).toBe(true);
    expect(r.registry.readiness().models.m).toEqual({ healthy: 1, total: 2 });
    r.registry.undrain("b");
    await runLoad(20, 2, async () => consume(await r.forward(chat())));
    expect(b.calls.length).toBeGreaterThan(0);
  });
});
