// Resilience metrics: attempts by node, tier and outcome, retries and what caused them, the retry budget,
// hedges, and streams that broke after their first event. One bundle per Registry (survives reloads).
import { perRegistry } from "#gateway/balancer/metrics.ts";
import { HotCounter, HotHistogram } from "#gateway/metrics/hot-metrics.ts";

export const resilienceMetrics = perRegistry((registry) => ({
  attempts: new HotCounter({
    name: "switchyard_routing_attempts_total",
    help: "Attempts sent to nodes, by node, tier and outcome (ok, client_error, node_error, busy, timeout, ...).",
    labelNames: ["node", "tier", "outcome"] as const,
    registers: [registry],
  }),
  attemptSeconds: new HotHistogram({
    name: "switchyard_routing_attempt_seconds",
    help: "Time until an attempt produced its result (for streams: the first event).",
    labelNames: ["tier", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  }),
  retries: new HotCounter({
    name: "switchyard_routing_retries_total",
    help: "Attempts made after a failed one, by what the previous attempt failed with.",
    labelNames: ["reason"] as const,
    registers: [registry],
  }),
  budgetExhausted: new HotCounter({
    name: "switchyard_routing_retry_budget_exhausted_total",
    help: "Retries or hedges not made because the retry budget was spent.",
    registers: [registry],
  }),
  hedges: new HotCounter({
    name: "switchyard_routing_hedges_total",
    help: "Hedged attempts, by event (launched, won).",
    labelNames: ["event"] as const,
    registers: [registry],
  }),
  streamFailures: new HotCounter({
    name: "switchyard_routing_stream_failures_total",
    help: "Streams that broke after their first event (the client got an SSE error event).",
    labelNames: ["node", "reason"] as const,
    registers: [registry],
  }),
}));

export type ResilienceMetrics = ReturnType<typeof resilienceMetrics>;
