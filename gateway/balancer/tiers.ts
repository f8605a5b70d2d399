// Tier policy: which tiers a request may use, in order (tenant override, then model override, then the
// default), and when a tier counts as saturated so that traffic may spill over to the next one.
import type { SwitchyardConfig, Tier } from "#config/schema.ts";
import { meanObservedLatencyMs, predictedLatencyMs } from "./predicted-latency.ts";
import type { Candidate } from "./types.ts";

type Routing = SwitchyardConfig["routing"];

/**
 * The tier order for a model and tenant, looked up in Maps made once per config rather than by property key: a name
 * that differs from call to call as a string object (one parsed from each request) made V8 deoptimize the balancer's
 * pick over and over when it was a property key (see resolveModel in runtime/runtime.ts).
 */
export function tierPolicy(tiers: Routing["tiers"]): (model: string, tenant: string) => readonly Tier[] {
  const byTenant = new Map(Object.entries(tiers.tenants));
  const byModel = new Map(Object.entries(tiers.models));
  return (model, tenant) => byTenant.get(tenant) ?? byModel.get(model) ?? tiers.default;
}

/** A tier is saturated when every one of its usable nodes is past either spill threshold. */
export function tierSaturated(candidates: readonly Candidate[], spill: Routing["spill"], now: number): boolean {
  const unobserved = meanObservedLatencyMs(candidates, now);
  return candidates.every(
    (c) => c.queueDepth >= spill.queueDepth || predictedLatencyMs(c, now, unobserved) >= spill.predictedLatencyMs,
  );
}
