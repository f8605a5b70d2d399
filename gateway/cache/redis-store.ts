// The fleet-wide response store: plain GET / SET PX under the gateway's key prefix, every call bounded by the
// shared connection's command timeout and failing at once while Redis is down (the layer then goes uncached).
import type { RedisConnection } from "#gateway/redis/client.ts";
import type { CacheStore } from "./store.ts";

export function createRedisCacheStore(redis: RedisConnection): CacheStore {
  return {
    async get(key) {
      const value = await redis.run((client) => client.get(redis.keys.cacheEntry(key)));
      return value ?? undefined;
    },
    async set(key, value, ttlMs) {
      await redis.run((client) => client.set(redis.keys.cacheEntry(key), value, "PX", Math.max(1, Math.round(ttlMs))));
    },
  };
}
