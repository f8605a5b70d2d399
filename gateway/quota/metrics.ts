// Quota metrics, one bundle per Registry (survives reloads): refusals by the scope and window whose quota was spent.
import { perRegistry } from "#gateway/balancer/metrics.ts";
import { HotCounter } from "#gateway/metrics/hot-metrics.ts";

export const quotaMetrics = perRegistry((registry) => ({
  refusals: new HotCounter({
    name: "switchyard_quota_refusals_total",
    help: "Requests refused with 429 insufficient_quota, by tenant, scope (tenant, key) and window (day, month).",
    labelNames: ["tenant", "scope", "window"] as const,
    registers: [registry],
  }),
}));

export type QuotaMetrics = ReturnType<typeof quotaMetrics>;
