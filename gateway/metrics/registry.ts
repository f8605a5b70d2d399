// The app-owned prom-client registry (never the global one, so several gateways can live in one process).
import { collectDefaultMetrics, Registry } from "prom-client";

export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "switchyard_process_" });
  return registry;
}
