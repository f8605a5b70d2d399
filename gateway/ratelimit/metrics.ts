// Rate-limit metrics, registered once per app registry and shared by the layer and the stores.
import { Counter, type Registry } from "prom-client";

export type RateLimitMetrics = {
  decisions: Counter<"result">;
  storeErrors: Counter<"op">;
  fallbackDecisions: Counter;
};

export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  return {
    decisions: new Counter({
      name: "switchyard_ratelimit_decisions_total",
      help: "Rate-limit decisions by result (allowed, limited).",
      labelNames: ["result"],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: "switchyard_ratelimit_store_errors_total",
      help: "Redis failures of the rate limiter by operation (take, settle).",
      labelNames: ["op"],
      registers: [registry],
    }),
    fallbackDecisions: new Counter({
      name: "switchyard_ratelimit_fallback_decisions_total",
      help: "Decisions made by the in-memory buckets because Redis was unavailable (failMode open).",
      registers: [registry],
    }),
  };
}
