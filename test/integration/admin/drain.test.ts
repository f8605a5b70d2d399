// Draining through the admin API: traffic moves off a drained node with no failed request, the drain outlives
// a config reload, and undraining brings the node back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders } from "#test/support/gateway.ts";
import { adminConfig, adminFetch, startAdminGateway } from "./support.ts";

let a: FakeNode;
let b: FakeNode;
let gateway: RunningGateway & { admin: { url: string } };
const input = () => ({
  nodes: [
    { id: "a", url: a.url, models: ["m1"] },
    { id: "b", url: b.url, models: ["m1"] },
  ],
  routing: { strategy: "round-robin" as const },
  cache: { store: "off" as const },
});

beforeAll(async () => {
  a = await startFakeNode("a");
  b = await startFakeNode("b");
  gateway = await startAdminGateway(input());
});
afterAll(async () => {
  await gateway.close();
  await Promise.all([a.close(), b.close()]);
});

/** Sends `count` requests, 4 at a time; returns how many each node served and every failure. */
async function traffic(count: number): Promise<{ a: number; b: number; failures: string[] }> {
  const before = { a: a.calls.length, b: b.calls.length };
  const failures: string[] = [];
  for (let i = 0; i < count; i += 4) {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const res = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: authHeaders(),
          body: JSON.stringify({ model: "m1", messages: [{ role: "user", content: "hi" }] }),
        });
        if (res.status !== 200) failures.push(`${res.status} ${await res.text()}`);
        else await res.arrayBuffer();
      }),
    );
  }
  return { a: a.calls.length - before.a, b: b.calls.length - before.b, failures };
}

const drainState = async () => {
  const body = (await (await adminFetch(gateway, "/admin/nodes")).json()) as {
    nodes: Array<{ id: string; drained: boolean }>;
  };
  return Object.fromEntries(body.nodes.map((n) => [n.id, n.drained]));
};

describe("POST /admin/nodes/{id}/drain and /undrain", () => {
  it("moves every new request off a drained node without a failure", async () => {
    const res = await adminFetch(gateway, "/admin/nodes/a/drain", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: "a", drained: true, node: { id: "a", drained: true } });
    expect(await drainState()).toEqual({ a: true, b: false });
    expect(await traffic(40)).toEqual({ a: 0, b: 40, failures: [] });
  });

  it("keeps the node drained across a config reload", async () => {
    const reweighted = adminConfig({ ...input(), nodes: input().nodes.map((n) => ({ ...n, weight: 2 })) });
    const reload = await adminFetch(gateway, "/admin/reload", { method: "POST", body: JSON.stringify(reweighted) });
    expect(((await reload.json()) as { outcome: string }).outcome).toBe("applied");
    expect(await drainState()).toEqual({ a: true, b: false });
    expect(await traffic(20)).toEqual({ a: 0, b: 20, failures: [] });
  });

  it("brings an undrained node back into rotation", async () => {
    expect((await adminFetch(gateway, "/admin/nodes/a/undrain", { method: "POST" })).status).toBe(200);
    const served = await traffic(40);
    expect(served.failures).toEqual([]);
    expect(served.a).toBeGreaterThan(0);
    expect(served.a + served.b).toBe(40);
  });

  it("answers 404 for an unknown node", async () => {
    const res = await adminFetch(gateway, "/admin/nodes/zzz/drain", { method: "POST" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("node_not_found");
  });
});
