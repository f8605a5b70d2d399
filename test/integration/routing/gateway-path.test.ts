// Routing through the whole gateway over HTTP: a dead node is invisible to clients, a stream that breaks after
// its first chunk ends with an SSE error event, readiness follows live health, node state shows in /metrics,
// and a config reload keeps node state while retiring removed nodes.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, readSse, startTestGateway } from "#test/support/gateway.ts";
import { waitFor } from "./harness.ts";

const chatBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra });

describe("routing through the gateway", () => {
  let nodes: FakeNode[] = [];
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    await Promise.all(nodes.map((n) => n.close()));
    gateway = undefined;
    nodes = [];
  });

  async function start(count: number, behaviour: Parameters<typeof startFakeNode>[1] = {}): Promise<RunningGateway> {
    nodes = await Promise.all(Array.from({ length: count }, (_, i) => startFakeNode(`n${i}`, behaviour)));
    gateway = await startTestGateway({
      nodes: nodes.map((n, i) => ({ id: `n${i}`, url: n.url, models: ["m"] })),
      routing: { health: { intervalMs: 100, timeoutMs: 500 } },
    });
    const g = gateway;
    await waitFor(async () => (await fetch(`${g.url}/readyz`)).status === 200, "gateway ready");
    return g;
  }

  const post = (g: RunningGateway, body = chatBody()) =>
    fetch(`${g.url}/v1/chat/completions`, { method: "POST", headers: authHeaders(), body });

  it("answers every request while one node is dead, and /readyz and /metrics show the node's state", async () => {
    const g = await start(3);
    await nodes[2]?.close();
    const statuses = await Promise.all(Array.from({ length: 30 }, async () => (await post(g)).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await waitFor(async () => {
      const readiness = (await (await fetch(`${g.url}/readyz`)).json()) as {
        models: Record<string, { healthy: number }>;
      };
      return readiness.models.m?.healthy === 2;
    }, "readiness counts the dead node out");
    const metrics = await (await fetch(`${g.url}/metrics`)).text();
    expect(metrics).toContain('switchyard_node_healthy{node="n2",tier="cpu"} 0');
    expect(metrics).toMatch(/switchyard_routing_attempts_total\{node="n0",tier="cpu",outcome="ok"\} \d+/);
  });

  it("is not ready while every node of a model is down", async () => {
    const g = await start(1);
    await nodes[0]?.close();
    await waitFor(async () => (await fetch(`${g.url}/readyz`)).status === 503, "not ready");
    const response = await post(g);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("no_healthy_node");
  });

  it("ends a stream that breaks after its first chunk with an SSE error event", async () => {
    let release = () => {};
    const g = await start(1, {
      streamChunks: 4,
      dieAfterChunks: 1,
      holdAfterFirstChunk: new Promise<void>((resolve) => (release = resolve)),
    });
    const response = await post(g, chatBody({ stream: true }));
    expect(response.status).toBe(200);
    release();
    const events = await readSse(response);
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[1] as string)).toMatchObject({ error: { code: "upstream_error" } });
  });

  it("keeps node state across a reload and sends nothing to a removed node", async () => {
    const g = await start(2);
    for (let i = 0; i < 10; i++) await (await post(g)).text();
    const services = g.runtime.services;
    const kept = services.nodes.get("n0");
    const config = g.runtime.snapshot.config;
    g.runtime.reload(parseConfig({ ...config, nodes: [config.nodes[0]] }, "reload", {}));
    expect(services.nodes.get("n0")).toBe(kept);
    const before = nodes[1]?.calls.length ?? 0;
    for (let i = 0; i < 10; i++) expect((await post(g)).status).toBe(200);
    expect(nodes[1]?.calls.length).toBe(before);
    await waitFor(() => !services.nodes.snapshot().some((n) => n.id === "n1"), "removed node closed");
  });
});
