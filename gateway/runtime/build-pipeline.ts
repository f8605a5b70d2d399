// Composes the request path for one config snapshot: the ForwardLayers in order, ending at the routing terminal.
// Long-lived state (node registry, cache stores, buckets, Redis clients) lives in GatewayServices and is reused.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { SwitchyardConfig } from "#config/schema.ts";
import { compose, type ForwardLayer, type Forwarder } from "#gateway/pipeline/types.ts";
import { createBasicForwarder } from "#gateway/routing-basic.ts";

export type GatewayServices = {
  metrics: Registry;
  logger: Logger;
};

export function buildPipeline(config: SwitchyardConfig, _services: GatewayServices): Forwarder {
  const layers: ForwardLayer[] = [
    // outermost first: rate limits, then cache + coalescing (gateway/ratelimit, gateway/cache)
  ];
  return compose(layers, createBasicForwarder(config));
}
