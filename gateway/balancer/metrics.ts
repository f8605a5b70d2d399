// Balancer metrics (picks by strategy/tier/node, tier spill-overs, per-stage timings), created once per
// Registry so that rebuilding the pipeline on a config reload keeps counting into the same series.
import type { Registry } from "prom-client";
import { HotCounter, HotHistogram } from "#gateway/metrics/hot-metrics.ts";

/** Memoises a metrics bundle per Registry: prom-client refuses a second metric of the same name. */
export function perRegistry<T>(build: (registry: Registry) => T): (registry: Registry) => T {
  const built = new WeakMap<Registry, T>();
  return (registry) => {
    let bundle = built.get(registry);
    if (!bundle) {
      bundle = build(registry);
      built.set(registry, bundle);
    }
    return bundle;
  };
}

export const balancerMetrics = perRegistry((registry) => ({
  picks: new HotCounter({
    name: "switchyard_balancer_picks_total",
    help: "Nodes chosen by the balancer (first attempts, retries and hedges).",
    labelNames: ["strategy", "tier", "node"] as const,
    registers: [registry],
  }),
  spills: new HotCounter({
    name: "switchyard_balancer_spills_total",
    help: "Picks that left the first tier of the request's policy because it was saturated or unavailable.",
    labelNames: ["from", "to"] as const,
    registers: [registry],
  }),
  noCandidate: new HotCounter({
    name: "switchyard_balancer_no_candidate_total",
    help: "Picks that found no usable node for the model.",
    labelNames: ["model"] as const,
    registers: [registry],
  }),
  stageSeconds: new HotHistogram({
    name: "switchyard_balancer_stage_seconds",
    help: "Time spent per balancer stage (filter, score, pick), sampled on one pick in 16.",
    labelNames: ["stage"] as const,
    buckets: [0.000_001, 0.000_005, 0.000_02, 0.000_1, 0.000_5, 0.002, 0.01],
    registers: [registry],
  }),
}));

export type BalancerMetrics = ReturnType<typeof balancerMetrics>;
