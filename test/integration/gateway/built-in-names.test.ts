// Names that users choose (models, tenants, key names) and that every JavaScript object already answers to:
// "constructor", "toString", "__proto__". Per-name settings are looked up so that such a name finds only what the
// config says about it, so requests for these models route, count and report like any other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tier } from "#config/schema.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, startTestGateway, testKey } from "#test/support/gateway.ts";
import { eventually } from "#test/support/wait.ts";

let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({
    auth: { keys: [{ key: testKey, tenant: "toString", name: "constructor" }] },
    nodes: [{ id: "n1", url: node.url, models: ["constructor", "__proto__"] }],
    routing: { tiers: { models: { constructor: ["gpu", "cpu"] as Tier[] } } },
    rateLimit: { store: "memory", perKey: { requestsPerMinute: 1000 }, tenants: { other: { requestsPerMinute: 1 } } },
    cache: { store: "memory" },
  });
});
afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

const chat = (model: string) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: authHeaders(),
    body: JSON.stringify({ model, temperature: 0, messages: [{ role: "user", content: "hi" }] }),
  });

describe("models, tenants and keys named like built-in object properties", () => {
  it("routes, rate-limits and caches them like any other name", async () => {
    for (const model of ["constructor", "__proto__"]) {
      const first = await chat(model);
      expect(first.status, model).toBe(200);
      expect(node.calls.at(-1)!.body.model).toBe(model);
      // The key's own limit applies (no tenant bucket named toString exists), and the answer was cached.
      expect(first.headers.get("x-ratelimit-limit-requests")).toBe("1000");
      expect((await chat(model)).headers.get("x-switchyard-cache")).toBe("hit");
    }
  });

  it("refuses a built-in name that no node serves", async () => {
    expect((await chat("hasOwnProperty")).status).toBe(404);
  });

  it("reports readiness for each such model by name", async () => {
    await eventually(async () => {
      const res = await fetch(`${gateway.url}/readyz`);
      const body = (await res.json()) as { models: Record<string, { healthy: number; total: number }> };
      expect(res.status).toBe(200);
      expect(Object.keys(body.models).sort()).toEqual(["__proto__", "constructor"]);
      expect(body.models.constructor).toEqual({ healthy: 1, total: 1 });
    });
  });
});
