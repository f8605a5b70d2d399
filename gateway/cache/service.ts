// The cache's long-lived state (metrics, stores) and a factory for its layers per config snapshot, in
// pipeline order: the response cache, then in-gateway coalescing. Stores survive config reloads.
import type { SwitchyardConfig } from "#config/schema.ts";
import type { ForwardLayer } from "#gateway/pipeline/types.ts";
import type { StoreServiceDeps } from "#gateway/redis/provider.ts";
import { createCoalesceLayer } from "./coalesce.ts";
import { createCacheLayer } from "./layer.ts";
import { createMemoryCacheStore } from "./memory-store.ts";
import { createCacheMetrics } from "./metrics.ts";
import { createRedisCacheStore } from "./redis-store.ts";
import type { CacheStore } from "./store.ts";

export type CacheService = { layers(config: SwitchyardConfig): ForwardLayer[] };

export function createCacheService({ registry, logger, redis }: StoreServiceDeps): CacheService {
  const metrics = createCacheMetrics(registry);
  const stores = new Map<string, CacheStore>();
  const storeFor = (config: SwitchyardConfig): CacheStore => {
    const kind = config.cache.store;
    let store = stores.get(kind);
    if (!store) {
      store =
        kind === "redis"
          ? createRedisCacheStore(redis.get(config.redis))
          : createMemoryCacheStore({ maxBytes: config.cache.maxBytes, metrics });
      stores.set(kind, store);
    }
    return store;
  };
  return {
    layers(config) {
      const layers: ForwardLayer[] = [];
      if (config.cache.store !== "off") {
        layers.push(createCacheLayer({ config: config.cache, store: storeFor(config), metrics, logger }));
      }
      if (config.cache.coalesce) layers.push(createCoalesceLayer({ config: config.cache, metrics }));
      return layers;
    },
  };
}
