// Placeholder terminal forwarder until the balancer lands: the first configured node that serves the model.
import type { SwitchyardConfig } from "#config/schema.ts";
import { NoHealthyNodeError } from "#gateway/openai/errors.ts";
import type { Forwarder } from "#gateway/pipeline/types.ts";
import { callNode } from "#gateway/upstream/call-node.ts";
import { createNodePool } from "#gateway/upstream/pools.ts";

export function createBasicForwarder(config: SwitchyardConfig): Forwarder {
  const pools = new Map(config.nodes.map((node) => [node.id, createNodePool(node)]));
  return async (req) => {
    const node = config.nodes.find((n) => n.models.includes(req.model));
    const pool = node && pools.get(node.id);
    if (!node || !pool) throw new NoHealthyNodeError(req.model);
    return callNode(pool, node, req, { signal: req.signal });
  };
}
