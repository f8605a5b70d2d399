// The Redis response store against the real Redis: the shared store contract, plus keys under the prefix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisCacheStore } from "#gateway/cache/redis-store.ts";
import type { RedisConnection } from "#gateway/redis/client.ts";
import { connect, deletePrefix, redisAvailable, testRedisConfig, uniquePrefix } from "#test/support/redis-env.ts";
import { cacheStoreSuite } from "#test/unit/gateway/cache/store-suite.ts";

const available = await redisAvailable();

describe.skipIf(!available)("redis cache store", () => {
  let connection: RedisConnection;
  beforeAll(async () => {
    connection = await connect(testRedisConfig(uniquePrefix("cache-store")));
  });
  afterAll(async () => {
    await deletePrefix(connection);
    await connection.close();
  });

  cacheStoreSuite("redis", () => createRedisCacheStore(connection));

  it("writes under the configured prefix with a server-side expiry", async () => {
    await createRedisCacheStore(connection).set("acme/m/embeddings/abc", "v", 30_000);
    const key = connection.keys.cacheEntry("acme/m/embeddings/abc");
    expect(key.startsWith(connection.keys.pattern().slice(0, -1).replaceAll("\\", ""))).toBe(true);
    const ttl = await connection.client.pttl(key);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });
});
