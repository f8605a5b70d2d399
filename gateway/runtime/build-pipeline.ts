// Composes the request path for one config snapshot: the ForwardLayers in order, ending at the routing terminal.
// Long-lived state (node registry, cache stores, buckets, Redis clients) lives in GatewayServices and is reused.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { SwitchyardConfig } from "#config/schema.ts";
import type { CacheService } from "#gateway/cache/service.ts";
import type { NodeRegistry } from "#gateway/nodes/registry.ts";
import { compose, type Forwarder, type ForwardLayer } from "#gateway/pipeline/types.ts";
import type { QuotaService } from "#gateway/quota/service.ts";
import type { RateLimitService } from "#gateway/ratelimit/service.ts";
import type { RedisProvider } from "#gateway/redis/provider.ts";
import { createRoutingForwarder } from "#gateway/resilience/forwarder.ts";
import { createUsageLayer } from "#gateway/usage/layer.ts";
import { usageMetrics } from "#gateway/usage/metrics.ts";

export type GatewayServices = {
  metrics: Registry;
  logger: Logger;
  /** Node state (health, breakers, latency, load, drain); updated in place on reload, never rebuilt. */
  nodes: NodeRegistry;
  /** The one Redis connection cache and rate limits share (opened only if the config asks for Redis). */
  redis: RedisProvider;
  cache: CacheService;
  rateLimits: RateLimitService;
  quotas: QuotaService;
};

export function buildPipeline(config: SwitchyardConfig, services: GatewayServices): Forwarder {
  const layers: ForwardLayer[] = [
    // outermost first: usage metering, quotas, rate limits, then cache + coalescing
    createUsageLayer(usageMetrics(services.metrics)),
    ...services.quotas.layers(config),
    ...services.rateLimits.layers(config),
    ...services.cache.layers(config),
  ];
  return compose(
    layers,
    createRoutingForwarder({
      registry: services.nodes,
      config,
      metricsRegistry: services.metrics,
      logger: services.logger,
    }),
  );
}
