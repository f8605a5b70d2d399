// Tier policy: which tiers a request may use, in order (tenant override, then model override, then the
// default), and when a tier counts as saturated so that traffic may spill over to the next one.
import type { SwitchyardConfig, Tier } from "#config/schema.ts";
import { meanObservedLatencyMs, predictedLatencyMs } from "./predicted-latency.ts";
import type { Candidate } from "./types.ts";

type Routing = SwitchyardConfig["routing"];

export function tierOrder(tiers: Routing["tiers"], model: string, tenant: string): readonly Tier[] {
  return tiers.tenants[tenant] ?? tiers.models[model] ?? tiers.default;
}

/** A tier is saturated when every one of its usable nodes is past either spill threshold. */
export function tierSaturated(candidates: readonly Candidate[], spill: Routing["spill"], now: number): boolean {
  const unobserved = meanObservedLatencyMs(candidates, now);
  return candidates.every(
    (c) => c.queueDepth >= spill.queueDepth || predictedLatencyMs(c, now, unobserved) >= spill.predictedLatencyMs,
  );
}
