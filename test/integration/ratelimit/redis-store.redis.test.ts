// Redis token buckets against the real Redis: the shared bucket contract, and two limiter instances on
// separate connections (as two gateway replicas would be) admitting exactly a bucket's worth under load.
import { describe, expect, it } from "vitest";
import { createRedisBucketStore } from "#gateway/ratelimit/redis-store.ts";
import { redisAvailable, replicaConnections } from "#test/support/redis-env.ts";
import { bucketStoreSuite } from "#test/unit/gateway/ratelimit/bucket-store-suite.ts";

const available = await redisAvailable();

describe.skipIf(!available)("redis bucket store", () => {
  const redis = replicaConnections("ratelimit-store");
  let seq = 0;

  bucketStoreSuite(
    "redis",
    () => createRedisBucketStore(redis.first),
    (label) => `${label}-${seq++}`,
  );

  it("two limiter instances sharing Redis admit exactly the bucket's worth under concurrent load", async () => {
    const replicas = [createRedisBucketStore(redis.first), createRedisBucketStore(redis.second)];
    const buckets = [
      { id: "key/shared/ci", requestsPerMinute: 50, tokensPerMinute: 0 },
      { id: "tenant/shared", requestsPerMinute: 0, tokensPerMinute: 10_000 },
    ];
    const attempts = Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.take(buckets, 1, 100));
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(50);
    const tokens = Number(await redis.first.client.hget(redis.first.keys.rateBucket("tenant/shared"), "t"));
    expect(Math.floor(tokens)).toBeGreaterThanOrEqual(10_000 - 50 * 100);
    expect(tokens).toBeLessThan(10_000 - 50 * 100 + 100); // refill during the test is well under one request's worth
  });

  it("keys expire once the bucket would be full again", async () => {
    const store = createRedisBucketStore(redis.first);
    await store.take([{ id: "expiring", requestsPerMinute: 600, tokensPerMinute: 0 }], 1, 0);
    const ttl = await redis.first.client.pttl(redis.first.keys.rateBucket("expiring"));
    // 1 of 600/min refills in 100 ms; the key lives that long plus a redis.second of slack.
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1100);
  });
});
