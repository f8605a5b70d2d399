// Rate-limit metrics, registered once per app registry and shared by the layer and the stores.
import type { Registry } from "prom-client";
import { HotCounter } from "#gateway/metrics/hot-metrics.ts";

export type RateLimitMetrics = {
  decisions: HotCounter<"result">;
  storeErrors: HotCounter<"op">;
  fallbackDecisions: HotCounter;
};

export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  return {
    decisions: new HotCounter({
      name: "switchyard_ratelimit_decisions_total",
      help: "Rate-limit decisions by result (allowed, limited).",
      labelNames: ["result"],
      registers: [registry],
    }),
    storeErrors: new HotCounter({
      name: "switchyard_ratelimit_store_errors_total",
      help: "Redis failures of the rate limiter by operation (take, settle).",
      labelNames: ["op"],
      registers: [registry],
    }),
    fallbackDecisions: new HotCounter({
      name: "switchyard_ratelimit_fallback_decisions_total",
      help: "Decisions made by the in-memory buckets because Redis was unavailable (failMode open).",
      registers: [registry],
    }),
  };
}
