// What every route of the node needs: the loaded models and the metrics registry.
import type { NodeMetrics } from "#backends/metrics.ts";
import type { ModelRegistry } from "#backends/models/registry.ts";
import type { ModelNodeConfig } from "#config/schema.ts";

export type NodeContext = {
  registry: ModelRegistry;
  metrics: NodeMetrics;
  config: ModelNodeConfig;
  startedAt: number;
};
