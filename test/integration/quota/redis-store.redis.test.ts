// Quota counters on the real Redis: shared by two connections (as by two gateway replicas), expiring after their
// window ends.
import { describe, expect, it } from "vitest";
import { createRedisQuotaStore } from "#gateway/quota/store.ts";
import { redisAvailable, replicaConnections } from "#test/support/redis-env.ts";

const available = await redisAvailable();

describe.skipIf(!available)("redis quota store", () => {
  const redis = replicaConnections("quota-store");

  it("adds usage from every replica to the same counters, each expiring after its window", async () => {
    const endsAt = Date.now() + 3_600_000;
    const day = { id: "tenant/acme/day/today", endsAt };
    const month = { id: "tenant/acme/month/this", endsAt: endsAt + 3_600_000 };
    const [a, b] = [createRedisQuotaStore(redis.first), createRedisQuotaStore(redis.second)];
    await Promise.all([a.add([day, month], 40), b.add([day], 2), b.add([day, month], 0.6)]);
    expect(await a.used([day, month, { id: "never", endsAt }])).toEqual([43, 41, 0]);
    const ttl = await redis.first.client.pttl(redis.first.keys.quotaCounter(day.id));
    // A minute past the window's end, so replicas with slightly different clocks agree.
    expect(ttl).toBeGreaterThan(3_600_000);
    expect(ttl).toBeLessThanOrEqual(3_660_000);
  });
});
