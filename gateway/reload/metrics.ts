// Config reload metrics: the running config's version (read at scrape time) and reloads by outcome and trigger.
import { Counter, Gauge, type Registry } from "prom-client";

export const reloadTriggers = ["admin", "sighup", "file"] as const;
export type ReloadTrigger = (typeof reloadTriggers)[number];
export const reloadOutcomes = ["applied", "unchanged", "rejected", "failed"] as const;
export type ReloadOutcome = (typeof reloadOutcomes)[number];

export type ReloadMetrics = { count(outcome: ReloadOutcome, trigger: ReloadTrigger): void };

export function createReloadMetrics(registry: Registry, currentVersion: () => number): ReloadMetrics {
  new Gauge({
    name: "switchyard_config_version",
    help: "Version of the running config: 1 at start, +1 for every applied reload.",
    registers: [registry],
    collect() {
      this.set(currentVersion());
    },
  });
  const reloads = new Counter({
    name: "switchyard_config_reloads_total",
    help: "Config reloads by outcome (applied, unchanged, rejected: invalid config, failed: unreadable) and trigger.",
    labelNames: ["outcome", "trigger"] as const,
    registers: [registry],
  });
  // Every series exists from the start, so rate() and alerts on rejected reloads work before the first one.
  for (const outcome of reloadOutcomes) for (const trigger of reloadTriggers) reloads.inc({ outcome, trigger }, 0);
  return { count: (outcome, trigger) => reloads.inc({ outcome, trigger }) };
}
