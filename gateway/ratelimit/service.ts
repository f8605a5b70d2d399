// The rate limiter's long-lived state (metrics, buckets) and a factory for its layer per config snapshot:
// in-memory buckets, or Redis buckets with the in-memory ones behind them for failMode open (503 when
// closed). Buckets survive config reloads, so a reload never hands anyone a fresh allowance.
import type { SwitchyardConfig } from "#config/schema.ts";
import type { ForwardLayer } from "#gateway/pipeline/types.ts";
import type { StoreServiceDeps } from "#gateway/redis/provider.ts";
import { createFailoverBucketStore } from "./failover-store.ts";
import { createRateLimitLayer } from "./layer.ts";
import { createMemoryBucketStore } from "./memory-store.ts";
import { createRateLimitMetrics } from "./metrics.ts";
import { createRedisBucketStore } from "./redis-store.ts";
import type { BucketStore } from "./store.ts";

export type RateLimitService = { layers(config: SwitchyardConfig): ForwardLayer[] };

export function createRateLimitService({ registry, logger, redis }: StoreServiceDeps): RateLimitService {
  const metrics = createRateLimitMetrics(registry);
  const log = logger.child({ component: "ratelimit" });
  const memory = createMemoryBucketStore();
  let shared: BucketStore | undefined;
  return {
    layers(config) {
      const rateLimit = config.rateLimit;
      if (rateLimit.store === "off") return [];
      if (rateLimit.store === "memory") return [createRateLimitLayer({ config: rateLimit, metrics, store: memory })];
      shared ??= createRedisBucketStore(redis.get(config.redis));
      const store = createFailoverBucketStore({
        primary: shared,
        fallback: memory,
        failMode: rateLimit.failMode,
        metrics,
        logger: log,
      });
      return [createRateLimitLayer({ config: rateLimit, metrics, store })];
    },
  };
}
