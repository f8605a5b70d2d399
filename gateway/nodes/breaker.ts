// One opossum circuit breaker per node, configured so that only node faults count: an error trips it only
// when it says `nodeFault: true` (as UpstreamError does for connect errors and 5xx), never a 4xx answer,
// a 429, a client that went away or a cancelled hedge. Timeouts are the caller's job (per-attempt signals).
import CircuitBreaker from "opossum";
import type { SwitchyardConfig } from "#config/schema.ts";
import type { ForwardResult } from "#gateway/pipeline/types.ts";

export type BreakerSettings = SwitchyardConfig["routing"]["breaker"];
export type BreakerState = "closed" | "open" | "half-open";
/** The work a breaker guards: one attempt on its node. */
export type NodeTask = () => Promise<ForwardResult>;
export type NodeBreaker = CircuitBreaker<[NodeTask], ForwardResult>;

export function isNodeFault(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { nodeFault?: unknown }).nodeFault === true;
}

export function createNodeBreaker(name: string, settings: BreakerSettings): NodeBreaker {
  return new CircuitBreaker((task: NodeTask) => task(), {
    name,
    // opossum's timeout would reject without stopping the request; attempts carry their own AbortSignal.
    timeout: false,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    // Without a volume threshold a single failure opens the breaker.
    volumeThreshold: settings.volumeThreshold,
    rollingCountTimeout: settings.rollingCountTimeoutMs,
    rollingCountBuckets: 10,
    resetTimeout: settings.resetTimeoutMs,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    errorFilter: (error: unknown) => !isNodeFault(error),
  });
}

export function breakerState(breaker: NodeBreaker): BreakerState {
  if (breaker.halfOpen) return "half-open";
  return breaker.opened ? "open" : "closed";
}

/** Closed, or half-open and still waiting for its single trial request. */
export function breakerAdmits(breaker: NodeBreaker): boolean {
  return breaker.closed || breaker.pendingClose;
}
