import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMemoryCacheStore } from "#gateway/cache/memory-store.ts";
import { createCacheMetrics } from "#gateway/cache/metrics.ts";
import { cacheStoreSuite } from "./store-suite.ts";

const metrics = () => createCacheMetrics(new Registry());

cacheStoreSuite("memory", () => createMemoryCacheStore({ maxBytes: 1_000_000, metrics: metrics() }));

describe("memory cache store bounds", () => {
  it("evicts least recently used entries to stay under maxBytes, counting evictions", async () => {
    const m = metrics();
    // Each entry is 1 (key) + 100 (value) bytes: three fit in 320.
    const store = createMemoryCacheStore({ maxBytes: 320, metrics: m });
    const value = "x".repeat(100);
    await store.set("a", value, 60_000);
    await store.set("b", value, 60_000);
    await store.set("c", value, 60_000);
    await store.get("a"); // a is now the most recently used
    await store.set("d", value, 60_000);
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("a")).toBe(value);
    expect(await store.get("c")).toBe(value);
    expect(await store.get("d")).toBe(value);
    expect((await m.evictions.get()).values[0]?.value).toBe(1);
    expect((await m.residentBytes.get()).values[0]?.value).toBe(303);
  });

  it("refuses an entry larger than the whole store without evicting others", async () => {
    const store = createMemoryCacheStore({ maxBytes: 100, metrics: metrics() });
    await store.set("keep", "v", 60_000);
    await store.set("huge", "x".repeat(200), 60_000);
    expect(await store.get("huge")).toBeUndefined();
    expect(await store.get("keep")).toBe("v");
  });

  it("frees the bytes of an expired entry when it is read", async () => {
    let now = 1000;
    const m = metrics();
    const store = createMemoryCacheStore({ maxBytes: 1000, metrics: m, now: () => now });
    await store.set("k", "value", 10);
    now += 11;
    expect(await store.get("k")).toBeUndefined();
    expect((await m.residentBytes.get()).values[0]?.value).toBe(0);
  });
});
