// The one behaviour suite every response store must pass (in-memory here, Redis in
// test/integration/cache/redis-store.redis.test.ts), like Hono's shared router cases.
import { describe, expect, it, vi } from "vitest";
import type { CacheStore } from "#gateway/cache/store.ts";

export function cacheStoreSuite(name: string, makeStore: () => CacheStore): void {
  describe(`cache store contract: ${name}`, () => {
    it("misses an absent key and returns what was set", async () => {
      const store = makeStore();
      expect(await store.get("t/m/chat.completions/absent")).toBeUndefined();
      await store.set("t/m/chat.completions/a", '{"x":1}', 60_000);
      expect(await store.get("t/m/chat.completions/a")).toBe('{"x":1}');
    });

    it("replaces an entry on a second set", async () => {
      const store = makeStore();
      await store.set("k", "first", 60_000);
      await store.set("k", "second", 60_000);
      expect(await store.get("k")).toBe("second");
    });

    it("keeps keys apart, including ones that differ only by scope", async () => {
      const store = makeStore();
      await store.set("tenant-a/m/embeddings/h", "A", 60_000);
      await store.set("tenant-b/m/embeddings/h", "B", 60_000);
      expect(await store.get("tenant-a/m/embeddings/h")).toBe("A");
      expect(await store.get("tenant-b/m/embeddings/h")).toBe("B");
    });

    it("round-trips large and non-ASCII values byte for byte", async () => {
      const store = makeStore();
      const value = JSON.stringify({ text: "héllo ✓ 日本語 ".repeat(2000) });
      await store.set("big", value, 60_000);
      expect(await store.get("big")).toBe(value);
    });

    it("expires an entry after its TTL", async () => {
      const store = makeStore();
      await store.set("short", "v", 150);
      await store.set("long", "v", 60_000);
      expect(await store.get("short")).toBe("v");
      await vi.waitFor(async () => expect(await store.get("short")).toBeUndefined(), { timeout: 3000, interval: 25 });
      expect(await store.get("long")).toBe("v");
    });
  });
}
