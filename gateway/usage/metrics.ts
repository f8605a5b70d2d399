// Token metering, one bundle per Registry (survives reloads): what each tenant's answered requests cost in tokens.
import { perRegistry } from "#gateway/balancer/metrics.ts";
import { HotCounter } from "#gateway/metrics/hot-metrics.ts";

export const usageMetrics = perRegistry((registry) => ({
  tokens: new HotCounter({
    name: "switchyard_tokens_total",
    help: "Tokens of answered requests by tenant, model, kind (prompt, completion) and source (node: computed by a node; cache: served from the cache).",
    labelNames: ["tenant", "model", "kind", "source"] as const,
    registers: [registry],
  }),
}));

export type UsageMetrics = ReturnType<typeof usageMetrics>;
