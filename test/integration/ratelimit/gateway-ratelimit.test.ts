// Rate limits through the real gateway HTTP path (in-memory buckets) against a fake node: OpenAI's
// x-ratelimit-* headers on every response, the 429 body and Retry-After, and token refunds from real usage,
// including a stream whose usage chunk the gateway requests upstream and hides from the client.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfigInput } from "#config/schema.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, readSse, startTestGateway } from "#test/support/gateway.ts";

let node: FakeNode;
let gateway: RunningGateway;

async function start(
  rateLimit: ConfigInput["rateLimit"],
  cache: ConfigInput["cache"] = { store: "off", coalesce: false },
) {
  gateway = await startTestGateway({ nodes: [{ id: "n1", url: node.url, models: ["m1"] }], rateLimit, cache });
}
beforeEach(async () => {
  node = await startFakeNode("n1");
});
afterEach(async () => {
  await gateway?.close();
  await node.close();
});

const chat = (extra: Record<string, unknown> = {}) => ({
  model: "m1",
  max_tokens: 100,
  messages: [{ role: "user", content: "hi" }],
  ...extra,
});
const post = (body: unknown) =>
  fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: authHeaders(), body: JSON.stringify(body) });
const header = (res: Response, name: string) => res.headers.get(`x-ratelimit-${name}`);

describe("rate limits through the gateway", () => {
  it("sends OpenAI's rate-limit headers and refuses past the limit with a 429 and Retry-After", async () => {
    await start({ perKey: { requestsPerMinute: 3, tokensPerMinute: 100_000 } });
    const ok = [];
    for (let i = 0; i < 3; i++) ok.push(await post(chat()));
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(ok.map((r) => header(r, "remaining-requests"))).toEqual(["2", "1", "0"]);
    expect(header(ok[0]!, "limit-requests")).toBe("3");
    expect(header(ok[0]!, "reset-requests")).toBe("20s");
    expect(header(ok[0]!, "limit-tokens")).toBe("100000");
    expect(header(ok[0]!, "reset-tokens")).toMatch(/^\d+ms$/);

    const refused = await post(chat());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(header(refused, "remaining-requests")).toBe("0");
    expect(header(refused, "limit-tokens")).toBe("100000");
    const body = (await refused.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });
    expect(body.error.message).toContain("Please try again in");
    expect(node.calls).toHaveLength(3);
  });

  it("refunds reserved tokens down to the answer's usage", async () => {
    await start({ perKey: { requestsPerMinute: 100, tokensPerMinute: 600 } });
    // Reserves 8 (prompt estimate) + 100 (max_tokens); the node reports 7 used.
    const first = await post(chat());
    expect(Number(header(first, "remaining-tokens"))).toBe(600 - 108);
    const second = await post(chat());
    const remaining = Number(header(second, "remaining-tokens"));
    // 600 - 7 used - 108 reserved, plus whatever refilled between the two (10 tokens per second).
    expect(remaining).toBeGreaterThanOrEqual(600 - 7 - 108);
    expect(remaining).toBeLessThan(600 - 7 - 108 + 10);
  });

  it("asks the node for stream usage, hides the usage chunk from the client, and settles on it", async () => {
    await start({ perKey: { requestsPerMinute: 100, tokensPerMinute: 600 } });
    node.behaviour.streamChunks = 50;
    const events = await readSse(await post(chat({ stream: true })));
    expect(node.calls[0]!.body.stream_options).toEqual({ include_usage: true });
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.some((e) => e.includes('"usage"'))).toBe(false);
    // The stream used 3 + 50 tokens; the next reservation sees that, not the 108 reserved.
    const next = Number(header(await post(chat()), "remaining-tokens"));
    expect(next).toBeGreaterThanOrEqual(600 - 53 - 108);
    expect(next).toBeLessThan(600 - 53 - 108 + 10);

    const asked = await readSse(await post(chat({ stream: true, stream_options: { include_usage: true } })));
    expect(asked.some((e) => e.includes('"total_tokens":53'))).toBe(true);
  });

  it("charges a cache hit one request but no tokens", async () => {
    await start({ perKey: { requestsPerMinute: 100, tokensPerMinute: 600 } }, { store: "memory" });
    const body = chat({ temperature: 0 });
    await post(body);
    const hit = await post(body);
    expect(hit.headers.get("x-switchyard-cache")).toBe("hit");
    const after = await post(chat({ temperature: 0, messages: [{ role: "user", content: "ho" }] }));
    expect(header(after, "remaining-requests")).toBe("97");
    expect(Number(header(after, "remaining-tokens"))).toBeLessThan(600 - 7 - 108 + 10);
    expect(Number(header(after, "remaining-tokens"))).toBeGreaterThanOrEqual(600 - 7 - 108);
  });
});
