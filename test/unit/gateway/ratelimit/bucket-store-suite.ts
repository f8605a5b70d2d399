// The one behaviour suite every token-bucket store must pass (in-memory here, Redis in
// test/integration/ratelimit/redis-store.redis.test.ts). `makeStore` returns a fresh, empty store and
// `uniqueId` a bucket id no other test uses (Redis state outlives a store object).
import { describe, expect, it, vi } from "vitest";
import type { BucketSpec, BucketStore } from "#gateway/ratelimit/store.ts";

export function bucketStoreSuite(
  name: string,
  makeStore: () => BucketStore,
  uniqueId: (label: string) => string,
): void {
  const bucket = (label: string, requestsPerMinute: number, tokensPerMinute: number): BucketSpec => ({
    id: uniqueId(label),
    requestsPerMinute,
    tokensPerMinute,
  });

  describe(`bucket store contract: ${name}`, () => {
    it("admits a full bucket's worth of requests, then refuses with the time until one refills", async () => {
      const store = makeStore();
      const b = [bucket("rpm", 3, 0)];
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push(await store.take(b, 1, 0));
      expect(outcomes.map((o) => o.admitted)).toEqual([true, true, true, false]);
      expect(outcomes.map((o) => o.levels[0]?.requests)).toEqual([2, 1, 0, 0]);
      // 3 per minute: one request refills in 20 s.
      expect(outcomes[3]!.retryAfterMs).toBeGreaterThan(19_000);
      expect(outcomes[3]!.retryAfterMs).toBeLessThanOrEqual(20_000);
      expect(outcomes[0]!.retryAfterMs).toBe(0);
    });

    it("reports -1 for a dimension without a limit", async () => {
      const outcome = await makeStore().take([bucket("tokens-only", 0, 100)], 1, 10);
      expect(outcome.levels[0]).toEqual({ requests: -1, tokens: 90 });
    });

    it("refills continuously at the per-minute rate", async () => {
      const store = makeStore();
      const b = [bucket("refill", 6000, 0)]; // 100 per second
      for (let i = 0; i < 6000; i += 1000) await store.take(b, 1000, 0);
      expect((await store.take(b, 1, 0)).admitted).toBe(false);
      await vi.waitFor(async () => expect((await store.take(b, 5, 0)).admitted).toBe(true), {
        timeout: 3000,
        interval: 20,
      });
    });

    it("is all-or-nothing across buckets: a short bucket refuses and nothing is deducted anywhere", async () => {
      const store = makeStore();
      const key = bucket("key", 10, 1000);
      const tenant = bucket("tenant", 10, 100);
      const refused = await store.take([key, tenant], 1, 150);
      expect(refused.admitted).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      const admitted = await store.take([key, tenant], 1, 100);
      expect(admitted.admitted).toBe(true);
      expect(admitted.levels).toEqual([
        { requests: 9, tokens: 900 },
        { requests: 9, tokens: 0 },
      ]);
    });

    it("refunds unused tokens on settle, never above the limit", async () => {
      const store = makeStore();
      const b = [bucket("refund", 100, 1000)];
      const outcome = await store.take(b, 1, 600);
      expect(outcome.levels[0]?.tokens).toBe(400);
      await outcome.settle(-500);
      expect((await store.take(b, 1, 0)).levels[0]?.tokens).toBe(900);
      const again = await store.take(b, 1, 100);
      await again.settle(-5000);
      expect((await store.take(b, 1, 0)).levels[0]?.tokens).toBe(1000);
    });

    it("charges usage beyond the reservation as debt that blocks later requests", async () => {
      const store = makeStore();
      const b = [bucket("debt", 100, 1000)];
      const outcome = await store.take(b, 1, 100);
      await outcome.settle(1400); // the stream used 1500 tokens in all
      const next = await store.take(b, 1, 1);
      expect(next.admitted).toBe(false);
      expect(next.levels[0]?.tokens).toBeLessThan(0);
      // 501 tokens short at 1000/min: about 30 s.
      expect(next.retryAfterMs).toBeGreaterThan(29_000);
    });

    it("leaves a dimension alone when a spec does not limit it (limits can change on reload)", async () => {
      const store = makeStore();
      const id = uniqueId("reload");
      await store.take([{ id, requestsPerMinute: 10, tokensPerMinute: 1000 }], 4, 400);
      const tokensOnly = await store.take([{ id, requestsPerMinute: 0, tokensPerMinute: 1000 }], 1, 100);
      expect(tokensOnly.levels[0]).toEqual({ requests: -1, tokens: 500 });
      const both = await store.take([{ id, requestsPerMinute: 10, tokensPerMinute: 1000 }], 1, 0);
      expect(both.levels[0]?.requests).toBe(5);
    });

    it("never admits more than the bucket holds under concurrent takes", async () => {
      const store = makeStore();
      const b = [bucket("concurrent", 20, 0)];
      const outcomes = await Promise.all(Array.from({ length: 60 }, () => store.take(b, 1, 0)));
      expect(outcomes.filter((o) => o.admitted)).toHaveLength(20);
    });
  });
}
