// A dead or failing node costs clients nothing for non-streaming requests: attempts fail over, the node is
// taken out (health for a refused connection, breaker for 5xx answers), and it comes back when it recovers.
import { describe, expect, it } from "vitest";
import { GatewayError } from "#gateway/openai/errors.ts";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, consume, metricValue, type Routing, runLoad, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("fail-over", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  it("keeps answering while a node refuses connections, marks it unhealthy, and uses it again once it is back", async () => {
    nodes = await Promise.all([startFakeNode("a"), startFakeNode("b"), startFakeNode("dead")]);
    const dead = nodes[2] as FakeNode;
    routing = startRouting(nodes.map((n, i) => ({ id: ["a", "b", "dead"][i] as string, url: n.url })));
    const r = routing;
    await waitFor(() => r.registry.readiness().models.m?.healthy === 3, "all nodes healthy");
    await dead.close();

    const { failures } = await runLoad(120, 6, async () => consume(await r.forward(chat())));
    expect(failures).toEqual([]);
    await waitFor(() => r.registry.get("dead")?.health.status === "unhealthy", "dead node marked unhealthy");

    const revived = await startFakeNode("dead", {}, dead.port);
    nodes.push(revived);
    await waitFor(() => r.registry.get("dead")?.health.status === "healthy", "revived node healthy again");
    await runLoad(60, 3, async () => consume(await r.forward(chat())));
    expect(revived.calls.length).toBeGreaterThan(0);
  });

  it("opens the breaker of a node answering 500, with no client-visible errors, and closes it after recovery", async () => {
    nodes = await Promise.all([startFakeNode("a"), startFakeNode("bad", { failStatus: 500 })]);
    const bad = nodes[1] as FakeNode;
    routing = startRouting(
      [
        { id: "a", url: nodes[0]?.url as string },
        { id: "bad", url: bad.url },
      ],
      { breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 300 } },
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().models.m?.healthy === 2, "both nodes healthy");

    const { failures } = await runLoad(60, 2, async () => consume(await r.forward(chat())));
    expect(failures).toEqual([]);
    expect(r.registry.get("bad")?.snapshot().breaker).not.toBe("closed");
    // Health checks still pass (the process is up): the breaker alone keeps traffic away.
    expect(r.registry.get("bad")?.health.status).toBe("healthy");
    const callsWhileOpen = bad.calls.length;
    expect(callsWhileOpen).toBeLessThan(20);
    expect(await metricValue(r.metrics, "switchyard_routing_retries_total", { reason: "node_error" })).toBe(
      callsWhileOpen,
    );

    bad.behaviour.failStatus = undefined;
    await waitFor(() => r.registry.get("bad")?.snapshot().breaker === "half-open", "breaker half-open");
    await waitFor(async () => {
      await consume(await r.forward(chat()));
      return r.registry.get("bad")?.snapshot().breaker === "closed";
    }, "trial request closes the breaker");
    const before = bad.calls.length;
    await runLoad(40, 2, async () => consume(await r.forward(chat())));
    expect(bad.calls.length).toBeGreaterThan(before);
  });

  it("fails over from a node whose 200 answer is not valid JSON, and names it when no other node is left", async () => {
    nodes = await Promise.all([startFakeNode("a"), startFakeNode("garbled", { malformedJson: true })]);
    const garbled = nodes[1] as FakeNode;
    routing = startRouting([
      { id: "a", url: nodes[0]?.url as string },
      { id: "garbled", url: garbled.url },
    ]);
    const r = routing;
    await waitFor(() => r.registry.readiness().models.m?.healthy === 2, "both nodes healthy");
    const answers: unknown[] = [];
    const { failures } = await runLoad(30, 2, async () => answers.push(...(await consume(await r.forward(chat())))));
    expect(failures).toEqual([]);
    expect(garbled.calls.length).toBeGreaterThan(0);
    // Every client got node a's whole answer: a garbled one never reached a client.
    expect(answers).toHaveLength(30);
    for (const answer of answers) expect(answer).toMatchObject({ id: "cmpl-a", choices: [{ index: 0 }] });

    const alone = startRouting([{ id: "garbled", url: garbled.url }]);
    await waitFor(() => alone.registry.readiness().models.m?.healthy === 1, "garbled node healthy");
    const error = await alone.forward(chat()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(502);
    expect((error as GatewayError).message).toBe("Node garbled sent an unreadable response body.");
  });

  it("does not count 4xx answers or 429s against the breaker", async () => {
    nodes = await Promise.all([startFakeNode("a", { failStatus: 400 })]);
    routing = startRouting([{ id: "a", url: nodes[0]?.url as string }], { breaker: { volumeThreshold: 2 } });
    const r = routing;
    for (let i = 0; i < 10; i++) {
      const result = await r.forward(chat());
      expect(result.kind === "json" && result.status).toBe(400);
    }
    expect(r.registry.get("a")?.snapshot().breaker).toBe("closed");
  });
});
