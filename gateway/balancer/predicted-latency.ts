// What a new request on a node is expected to take: its peak-EWMA latency times (in-flight + 1), the cost
// function of Finagle/linkerd's P2C balancer. Used by the latency scorer and by tier spill-over alike.
import type { Candidate } from "./types.ts";

/** `unobservedMs` stands in for nodes that have not answered yet (callers pass the pool's mean). */
export function predictedLatencyMs(candidate: Candidate, now: number, unobservedMs = 0): number {
  return (candidate.latencyMs(now) ?? unobservedMs) * (candidate.inflight + 1);
}

/** Mean latency estimate over the candidates that have one; a new node is assumed average, not free. */
export function meanObservedLatencyMs(candidates: readonly Candidate[], now: number): number {
  let sum = 0;
  let count = 0;
  for (const candidate of candidates) {
    const latency = candidate.latencyMs(now);
    if (latency !== undefined) {
      sum += latency;
      count += 1;
    }
  }
  return count ? sum / count : 1;
}
