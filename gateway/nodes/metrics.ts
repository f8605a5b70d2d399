// Node state gauges (health, breaker, drain, in-flight, latency, reported load), read from the registry's
// snapshot at scrape time so they are always current and cost nothing on the request path.
import { Gauge, type Registry } from "prom-client";
import type { NodeSnapshot } from "./upstream-node.ts";

const breakerStates = { closed: 0, "half-open": 1, open: 2 } as const;

type Reading = { name: string; help: string; value: (node: NodeSnapshot) => number | null };

const readings: Reading[] = [
  {
    name: "switchyard_node_healthy",
    help: "1 when the node's health checks pass, 0 when unhealthy or unknown.",
    value: (n) => (n.health === "healthy" ? 1 : 0),
  },
  {
    name: "switchyard_node_breaker_state",
    help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
    value: (n) => breakerStates[n.breaker],
  },
  {
    name: "switchyard_node_drained",
    help: "1 when the node is drained (by an operator or because it left the config).",
    value: (n) => (n.drained || n.retiring ? 1 : 0),
  },
  {
    name: "switchyard_node_inflight_requests",
    help: "Requests this gateway has in flight on the node.",
    value: (n) => n.inflight,
  },
  {
    name: "switchyard_node_latency_ewma_ms",
    help: "Peak-EWMA latency estimate used for routing.",
    value: (n) => n.latencyEwmaMs,
  },
  { name: "switchyard_node_queue_depth", help: "Queue depth the node last reported.", value: (n) => n.queueDepth },
];

/** Registers the gauges; a newer registry instance replaces the readers of an older one in the same Registry. */
export function registerNodeGauges(registry: Registry, snapshot: () => NodeSnapshot[]): void {
  for (const reading of readings) {
    registry.removeSingleMetric(reading.name);
    new Gauge({
      name: reading.name,
      help: reading.help,
      labelNames: ["node", "tier"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const node of snapshot()) {
          const value = reading.value(node);
          if (value !== null) this.set({ node: node.id, tier: node.tier }, value);
        }
      },
    });
  }
}
