// Quotas' long-lived state and a factory for their layer per config snapshot: counters in this process, or in
// Redis shared by every replica. Counters survive config reloads, so a reload never hands anyone a fresh quota.
import type { SwitchyardConfig } from "#config/schema.ts";
import type { ForwardLayer } from "#gateway/pipeline/types.ts";
import type { StoreServiceDeps } from "#gateway/redis/provider.ts";
import { createQuotaLayer } from "./layer.ts";
import { quotaMetrics } from "./metrics.ts";
import { createMemoryQuotaStore, createRedisQuotaStore, type QuotaStore } from "./store.ts";

export type QuotaService = { layers(config: SwitchyardConfig): ForwardLayer[] };

export function createQuotaService({ registry, logger, redis }: StoreServiceDeps): QuotaService {
  const log = logger.child({ component: "quota" });
  const metrics = quotaMetrics(registry);
  const memory = createMemoryQuotaStore();
  let shared: QuotaStore | undefined;
  return {
    layers(config) {
      const quotas = config.quotas;
      if (!Object.keys(quotas.tenants).length && !Object.keys(quotas.keys).length) return [];
      if (quotas.store === "redis") shared ??= createRedisQuotaStore(redis.get(config.redis));
      const store = quotas.store === "redis" && shared ? shared : memory;
      return [createQuotaLayer({ config: quotas, store, metrics, logger: log })];
    },
  };
}
