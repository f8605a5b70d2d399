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

/** opossum's rolling window; `increment` is what its own event listeners call for each outcome. */
type CountingStatus = { increment(property: "fires" | "successes" | "failures", latencyMs?: number): void };

/**
 * Runs one attempt under its node's breaker and hands the outcome to `onSuccess` or `onFailure`, deciding as
 * `breaker.fire(task).then(onSuccess, onFailure)` would, at less cost per request. fire() wraps every call in
 * promises and events (~5% of the gateway's CPU per request in bench:compare). While the breaker is closed, the
 * attempt runs directly and its outcome goes into the breaker's own rolling window, counted as opossum's listeners
 * count it (a fire, then a success or a failure; an error that is no node fault is a success, as errorFilter says).
 * A node fault on a closed breaker is handed to fire() as an already-failed action, so opossum itself counts it and
 * decides, by its error rate, whether to open. Half-open trials and an open or shut-down breaker go through fire()
 * unchanged. Unlike fire(), a call is counted when it ends rather than when it starts, and the direct path emits no
 * 'fire', 'success' or 'failure' events (nothing here listens for them).
 */
export function runGuarded<T>(
  breaker: NodeBreaker,
  task: NodeTask,
  onSuccess: (result: ForwardResult) => T,
  onFailure: (error: unknown) => T,
): Promise<T> {
  if (!breaker.closed || breaker.isShutdown || !breaker.enabled) return breaker.fire(task).then(onSuccess, onFailure);
  const status = breaker.status as unknown as CountingStatus;
  // No latency is passed: opossum keeps call latencies only for its percentiles, which our breakers turn off
  // (createNodeBreaker), so timing each call would cost two clock reads for nothing.
  const count = (outcome: "successes" | "failures") => {
    status.increment("fires");
    status.increment(outcome);
  };
  // One reaction on the task's own promise: each promise layer added here costs every request a microtask turn.
  return task().then(
    (result) => {
      count("successes");
      return onSuccess(result);
    },
    (error: unknown) => {
      if (!isNodeFault(error)) {
        count("successes");
        return onFailure(error);
      }
      if (breaker.closed && !breaker.isShutdown)
        return breaker.fire(() => Promise.reject(error)).then(onSuccess, onFailure);
      // The breaker left "closed" while this attempt ran. Open: nothing is left to decide. Half-open: any failure
      // opens it again, as opossum's own failure handling does.
      count("failures");
      if (breaker.halfOpen) breaker.open();
      return onFailure(error);
    },
  );
}
