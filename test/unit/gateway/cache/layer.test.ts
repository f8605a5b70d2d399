import { describe, expect, it } from "vitest";
import { configSchema } from "#config/schema.ts";
import { createCacheLayer } from "#gateway/cache/layer.ts";
import { createMemoryCacheStore } from "#gateway/cache/memory-store.ts";
import { type CacheMetrics, createCacheMetrics } from "#gateway/cache/metrics.ts";
import type { CacheStore } from "#gateway/cache/store.ts";
import type { ForwardRequest } from "#gateway/pipeline/types.ts";
import {
  chatAnswer,
  chatRequest,
  chatStream,
  collect,
  fakeNext,
  fromArray,
  json,
  newRegistry,
  readResult,
  silent,
  stream,
} from "./fixtures.ts";

type Setup = { cache?: Record<string, unknown>; store?: CacheStore; now?: () => number };

function setup({ cache = {}, store, now }: Setup = {}) {
  const metrics = createCacheMetrics(newRegistry());
  const config = configSchema.parse({ cache }).cache;
  const cacheStore = store ?? createMemoryCacheStore({ maxBytes: 1_000_000, metrics, now });
  let counter = 0;
  const next = fakeNext((req) => {
    counter++;
    return req.stream
      ? stream(fromArray(chatStream(["answer ", String(counter)])))
      : json(chatAnswer(`answer ${counter}`));
  });
  const forward = createCacheLayer({ config, store: cacheStore, metrics, logger: silent, now })(next);
  return { forward, next, metrics };
}

const count = async (metrics: CacheMetrics, result: string) =>
  (await metrics.lookups.get()).values.filter((v) => v.labels.result === result).reduce((sum, v) => sum + v.value, 0);

const withHeader = (value: string, req: ForwardRequest = chatRequest()) => ({
  ...req,
  headers: { "x-switchyard-cache": value },
});

describe("cache layer", () => {
  it("serves an identical deterministic request from the cache without reaching the node", async () => {
    const { forward, next, metrics } = setup();
    const first = await forward(chatRequest());
    const second = await forward(chatRequest({ body: { user: "someone-else" } }));
    expect(first.headers["x-switchyard-cache"]).toBe("miss");
    expect(second.headers["x-switchyard-cache"]).toBe("hit");
    expect(second.headers.age).toBe("0");
    expect(await readResult(second)).toEqual(await readResult(first));
    expect(next.calls).toHaveLength(1);
    expect([await count(metrics, "miss"), await count(metrics, "hit")]).toEqual([1, 1]);
    expect((await metrics.bytesWritten.get()).values[0]?.value).toBeGreaterThan(100);
  });

  it("bypasses sampled requests (no temperature counts as 1) and says so", async () => {
    const { forward, next, metrics } = setup();
    const sampled = chatRequest({ body: { temperature: undefined } });
    const results = [await forward(sampled), await forward(sampled)];
    expect(results.map((r) => r.headers["x-switchyard-cache"])).toEqual(["bypass", "bypass"]);
    expect(next.calls).toHaveLength(2);
    expect(await count(metrics, "bypass")).toBe(2);
  });

  it("keeps tenants apart", async () => {
    const { forward, next } = setup();
    await forward(chatRequest());
    const other = await forward(chatRequest({ caller: { tenant: "globex", keyName: "ci" } }));
    expect(other.headers["x-switchyard-cache"]).toBe("miss");
    expect(next.calls).toHaveLength(2);
  });

  it("honours bypass, refresh and no-store request headers", async () => {
    const { forward, next } = setup();
    expect((await forward(withHeader("no-store"))).headers["x-switchyard-cache"]).toBe("miss");
    expect((await forward(chatRequest())).headers["x-switchyard-cache"]).toBe("miss"); // no-store stored nothing
    const hit = await forward(withHeader("no-store"));
    expect(hit.headers["x-switchyard-cache"]).toBe("hit"); // but no-store still reads
    expect((await forward(withHeader("bypass"))).headers["x-switchyard-cache"]).toBe("bypass");
    expect(await readResult(await forward(chatRequest()))).toMatchObject({
      choices: [{ message: { content: "answer 2" } }],
    });
    const refreshed = await forward(withHeader("refresh"));
    expect(refreshed.headers["x-switchyard-cache"]).toBe("miss");
    expect(await readResult(await forward(chatRequest()))).toMatchObject({
      choices: [{ message: { content: "answer 4" } }],
    });
    expect(next.calls).toHaveLength(4);
  });

  it("replays a completed stream exactly, and drops the usage chunk for a client that did not ask", async () => {
    const { forward, next } = setup();
    const asking = chatRequest({ body: { stream: true, stream_options: { include_usage: true } } });
    const original = await collect(((await forward(asking)) as { events: AsyncIterable<string> }).events);
    const replay = await forward(asking);
    expect(replay.headers["x-switchyard-cache"]).toBe("hit");
    expect(await readResult(replay)).toEqual(original);
    const plain = await readResult(await forward(chatRequest({ body: { stream: true } })));
    expect(plain).toEqual(original.filter((e) => !e.includes('"choices":[]')));
    expect(next.calls).toHaveLength(1);
  });

  it("never stores a stream that broke or ended without [DONE]", async () => {
    const metrics = createCacheMetrics(newRegistry());
    const store = createMemoryCacheStore({ maxBytes: 1_000_000, metrics });
    const config = configSchema.parse({}).cache;
    const events = chatStream();
    const broken = fakeNext(() => stream(fromArray(events, 2)));
    const req = chatRequest({ body: { stream: true } });
    const first = await createCacheLayer({ config, store, metrics, logger: silent })(broken)(req);
    await expect(collect((first as { events: AsyncIterable<string> }).events)).rejects.toThrow("stream broke");
    const cut = fakeNext(() => stream(fromArray(events.slice(0, -1))));
    await collect(
      (
        (await createCacheLayer({ config, store, metrics, logger: silent })(cut)(req)) as {
          events: AsyncIterable<string>;
        }
      ).events,
    );
    const after = await createCacheLayer({ config, store, metrics, logger: silent })(cut)(req);
    expect(after.headers["x-switchyard-cache"]).toBe("miss");
  });

  it("never stores errors", async () => {
    const metrics = createCacheMetrics(newRegistry());
    const store = createMemoryCacheStore({ maxBytes: 1_000_000, metrics });
    const config = configSchema.parse({}).cache;
    const failing = fakeNext(() => json({ error: { message: "bad" } }, 400));
    const forward = createCacheLayer({ config, store, metrics, logger: silent })(failing);
    await forward(chatRequest());
    expect((await forward(chatRequest())).headers["x-switchyard-cache"]).toBe("miss");
    expect(failing.calls).toHaveLength(2);
  });

  it("serves a cached JSON answer to a streaming request and a cached stream to a JSON request", async () => {
    const { forward, next } = setup();
    await forward(chatRequest());
    const asStream = await forward(chatRequest({ body: { stream: true } }));
    expect(asStream.headers["x-switchyard-cache"]).toBe("hit");
    const deltas = ((await readResult(asStream)) as string[])
      .filter((e) => e !== "[DONE]")
      .map((e) => JSON.parse(e).choices[0]?.delta?.content ?? "");
    expect(deltas.join("")).toBe("answer 1");

    const other = chatRequest({
      body: { messages: [{ role: "user", content: "other" }], stream: true, stream_options: { include_usage: true } },
    });
    await collect(((await forward(other)) as { events: AsyncIterable<string> }).events);
    const asJson = await forward({ ...other, stream: false, body: { ...other.body, stream: false } });
    expect(asJson.headers["x-switchyard-cache"]).toBe("hit");
    expect(await readResult(asJson)).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { content: "answer 2" } }],
      usage: { total_tokens: 5 },
    });
    expect(next.calls).toHaveLength(2);
  });

  it("applies per-model TTL, size limit and enablement", async () => {
    let now = 1_000_000;
    const { forward, next } = setup({
      now: () => now,
      cache: { models: { short: { ttlSeconds: 1 }, tiny: { maxEntryBytes: 50 }, off: { enabled: false } } },
    });
    const short = chatRequest({ model: "short" });
    await forward(short);
    now += 500;
    expect((await forward(short)).headers["x-switchyard-cache"]).toBe("hit");
    now += 600;
    expect((await forward(short)).headers["x-switchyard-cache"]).toBe("miss");
    await forward(chatRequest({ model: "tiny" }));
    expect((await forward(chatRequest({ model: "tiny" }))).headers["x-switchyard-cache"]).toBe("miss");
    expect((await forward(chatRequest({ model: "off" }))).headers["x-switchyard-cache"]).toBe("bypass");
    expect(next.calls).toHaveLength(5);
  });

  it("goes on uncached while the store fails, counting errors, and recovers when it works again", async () => {
    let down = true;
    const backing = new Map<string, string>();
    const store: CacheStore = {
      get: async (key) => {
        if (down) throw new Error("store down");
        return backing.get(key);
      },
      set: async (key, value) => {
        if (down) throw new Error("store down");
        backing.set(key, value);
      },
    };
    const { forward, next, metrics } = setup({ store });
    const result = await forward(chatRequest());
    expect(result.headers["x-switchyard-cache"]).toBe("miss");
    expect(await readResult(result)).toMatchObject({ choices: [{ message: { content: "answer 1" } }] });
    await new Promise((resolve) => setImmediate(resolve)); // the write is fire-and-forget
    const errors = (await metrics.storeErrors.get()).values;
    expect(errors.find((v) => v.labels.op === "get")?.value).toBe(1);
    expect(errors.find((v) => v.labels.op === "set")?.value).toBe(1);
    down = false;
    await forward(chatRequest());
    expect((await forward(chatRequest())).headers["x-switchyard-cache"]).toBe("hit");
    expect(next.calls).toHaveLength(2);
  });
});
