// Token quotas over real HTTP: a tenant's daily quota is charged with each answer's real usage (JSON and streams,
// not cache hits), shown in x-switchyard-quota-remaining-tokens, and once spent every request gets OpenAI's 429
// insufficient_quota without reaching a node; a key without a quota is unaffected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, readSse, startTestGateway, testKey } from "#test/support/gateway.ts";

const freeKey = "sk-no-quota-000000001";
let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1", { streamChunks: 4 });
  gateway = await startTestGateway({
    auth: {
      keys: [
        { key: testKey, tenant: "team-a", name: "test" },
        { key: freeKey, tenant: "team-b", name: "free" },
      ],
    },
    nodes: [{ id: "n1", url: node.url, models: ["m1"] }],
    cache: { store: "memory" },
    quotas: { tenants: { "team-a": { tokensPerDay: 20 } } },
  });
});
afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

const chat = (extra: Record<string, unknown> = {}, key = testKey) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: authHeaders(key),
    body: JSON.stringify({ model: "m1", temperature: 1, messages: [{ role: "user", content: "q" }], ...extra }),
  });
const remaining = (res: Response) => Number(res.headers.get("x-switchyard-quota-remaining-tokens"));

describe("token quotas", () => {
  it("charges real usage, not cache hits, and refuses with 429 insufficient_quota once the day's quota is spent", async () => {
    // The fake node reports 7 tokens for a JSON answer, and 3 + 4 in a stream's usage chunk.
    const first = await chat();
    expect(first.status).toBe(200);
    expect(remaining(first)).toBe(20);
    const miss = await chat({ temperature: 0 });
    expect(miss.headers.get("x-switchyard-cache")).toBe("miss");
    expect(remaining(miss)).toBe(13);
    const hit = await chat({ temperature: 0 });
    expect(hit.headers.get("x-switchyard-cache")).toBe("hit");
    expect(remaining(hit)).toBe(6);
    const stream = await chat({ stream: true });
    expect(remaining(stream)).toBe(6); // the hit cost nothing
    const payloads = await readSse(stream);
    expect(payloads.some((p) => p.includes('"usage"'))).toBe(false);

    const calls = node.calls.length;
    const refused = await chat();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    expect(body.error.message).toContain("tenant team-a's daily quota of 20 tokens is spent");
    expect(node.calls.length).toBe(calls);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_quota_refusals_total\{tenant="team-a",scope="tenant",window="day"\} 1/);
  });

  it("leaves callers without a quota alone", async () => {
    const res = await chat({}, freeKey);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-quota-remaining-tokens")).toBeNull();
  });
});
