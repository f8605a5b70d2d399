// The response cache and coalescing through the real gateway HTTP path (memory store) against a fake node:
// hit/miss/bypass headers, SSE replay equal to the original stream, tenant isolation, N concurrent
// identical requests reaching the node once (JSON and streams), and TTL expiry.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { readSse, startTestGateway } from "#test/support/gateway.ts";

const keyA = "sk-team-a-0123456789";
const keyB = "sk-team-b-0123456789";
let node: FakeNode;
let gateway: RunningGateway;
let seq = 0;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({
    nodes: [{ id: "n1", url: node.url, models: ["m1", "short", "embed-1"] }],
    auth: {
      keys: [
        { key: keyA, tenant: "team-a", name: "a" },
        { key: keyB, tenant: "team-b", name: "b" },
      ],
    },
    cache: { store: "memory", models: { short: { ttlSeconds: 1 } } },
    rateLimit: { store: "off" },
  });
});
afterAll(async () => {
  await gateway.close();
  await node.close();
});

/** A chat body no other test sends, so the shared cache starts cold for it. */
const freshChat = (extra: Record<string, unknown> = {}) => ({
  model: "m1",
  temperature: 0,
  messages: [{ role: "user", content: `question ${seq++}` }],
  ...extra,
});
const post = (body: unknown, headers: Record<string, string> = {}, key = keyA, path = "/v1/chat/completions") =>
  fetch(gateway.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const cacheHeader = (res: Response) => res.headers.get("x-switchyard-cache");

/** The node holds its streams after their first chunk until the returned function is called; a test ends the hold. */
function holdStreamsAfterFirstChunk(): () => void {
  let release!: () => void;
  node.behaviour.holdAfterFirstChunk = new Promise<void>((resolve) => {
    release = resolve;
  });
  return release;
}

describe("response cache through the gateway", () => {
  it("misses, then hits without reaching the node; sampled or bypassed requests are not cached", async () => {
    const body = freshChat();
    const calls = node.calls.length;
    const first = await post(body);
    const second = await post({ ...body, user: "another-end-user" });
    expect([cacheHeader(first), cacheHeader(second)]).toEqual(["miss", "hit"]);
    expect(await second.json()).toEqual(await first.json());
    expect(node.calls.length - calls).toBe(1);

    const sampled = { ...body, temperature: undefined };
    expect(cacheHeader(await post(sampled))).toBe("bypass");
    expect(cacheHeader(await post(body, { "x-switchyard-cache": "bypass" }))).toBe("bypass");
    expect(node.calls.length - calls).toBe(3);
  });

  it("replays a cached stream as SSE identical to the original", async () => {
    const body = freshChat({ stream: true, stream_options: { include_usage: true } });
    const calls = node.calls.length;
    const first = await post(body);
    const original = await readSse(first);
    expect(original.at(-1)).toBe("[DONE]");
    const replay = await post(body);
    expect(cacheHeader(replay)).toBe("hit");
    expect(replay.headers.get("content-type")).toContain("text/event-stream");
    expect(await readSse(replay)).toEqual(original);
    // Same question without include_usage: the same stream minus the usage chunk.
    const plain = await readSse(await post({ ...body, stream_options: undefined }));
    expect(plain).toEqual(original.filter((e) => !e.includes('"choices":[]')));
    // And as JSON, rebuilt from the stream.
    const asJson = await post({ ...body, stream: false, stream_options: undefined });
    expect(cacheHeader(asJson)).toBe("hit");
    expect(await asJson.json()).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { content: "n1-0 n1-1 n1-2 " } }],
    });
    expect(node.calls.length - calls).toBe(1);
  });

  it("keeps tenants apart", async () => {
    const body = freshChat();
    await post(body, {}, keyA);
    expect(cacheHeader(await post(body, {}, keyB))).toBe("miss");
    expect(cacheHeader(await post(body, {}, keyB))).toBe("hit");
  });

  it("caches embeddings", async () => {
    const body = { model: "embed-1", input: [`text ${seq++}`] };
    expect(cacheHeader(await post(body, {}, keyA, "/v1/embeddings"))).toBe("miss");
    expect(cacheHeader(await post(body, {}, keyA, "/v1/embeddings"))).toBe("hit");
  });

  it("sends N concurrent identical requests to the node once", async () => {
    node.behaviour.delayMs = 150;
    try {
      const body = freshChat();
      const calls = node.calls.length;
      const responses = await Promise.all(Array.from({ length: 6 }, () => post(body)));
      expect(responses.map((r) => r.status)).toEqual(Array(6).fill(200));
      const bodies = await Promise.all(responses.map((r) => r.json()));
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      expect(node.calls.length - calls).toBe(1);
    } finally {
      delete node.behaviour.delayMs;
    }
  });

  it("sends N concurrent identical streams to the node once, every client getting the whole stream", async () => {
    const release = holdStreamsAfterFirstChunk();
    try {
      const body = freshChat({ stream: true });
      const calls = node.calls.length;
      const pending = Array.from({ length: 4 }, () => post(body).then(readSse));
      await vi.waitFor(() => expect(node.calls.length - calls).toBe(1), { timeout: 2000, interval: 10 });
      release();
      const streams = await Promise.all(pending);
      expect(streams[0]!.at(-1)).toBe("[DONE]");
      for (const events of streams) expect(events).toEqual(streams[0]);
      expect(node.calls.length - calls).toBe(1);
    } finally {
      delete node.behaviour.holdAfterFirstChunk;
    }
  });

  it("keeps a coalesced stream whole for the clients that stay when one leaves mid-stream, then caches it", async () => {
    const release = holdStreamsAfterFirstChunk();
    try {
      const body = freshChat({ stream: true });
      const calls = node.calls.length;
      const leaving = new AbortController();
      const leaver = fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: leaving.signal,
      });
      const stayers = Array.from({ length: 2 }, () => post(body).then(readSse));
      await vi.waitFor(() => expect(node.calls.length - calls).toBe(1), { timeout: 2000, interval: 10 });
      // The leaver reads the first event, then goes; only after that does the node send the rest.
      const reader = (await leaver).body!.getReader();
      expect((await reader.read()).done).toBe(false);
      leaving.abort();
      release();
      const streams = await Promise.all(stayers);
      expect(streams[0]!.at(-1)).toBe("[DONE]");
      expect(streams[1]).toEqual(streams[0]);
      expect(node.calls.length - calls).toBe(1);
      // The whole stream reached the cache: the same request is now answered without the node.
      const again = await post(body);
      expect(cacheHeader(again)).toBe("hit");
      expect(await readSse(again)).toEqual(streams[0]);
      expect(node.calls.length - calls).toBe(1);
    } finally {
      delete node.behaviour.holdAfterFirstChunk;
    }
  });

  it("expires entries after the model's TTL", async () => {
    const body = freshChat({ model: "short" });
    expect(cacheHeader(await post(body))).toBe("miss");
    expect(cacheHeader(await post(body))).toBe("hit");
    await vi.waitFor(
      async () => expect(cacheHeader(await post(body, { "x-switchyard-cache": "no-store" }))).toBe("miss"),
      {
        timeout: 5000,
        interval: 100,
      },
    );
  });

  it("counts hits, misses and bypasses in the gateway's metrics", async () => {
    const text = await gateway.runtime.services.metrics.getSingleMetricAsString("switchyard_cache_requests_total");
    for (const result of ["hit", "miss", "bypass"]) expect(text).toMatch(new RegExp(`result="${result}"`));
  });
});
