// GET /metrics: the node's Prometheus registry in text exposition format.
import type { Handler } from "hono";
import type { NodeContext } from "./context.ts";

export function metricsRoute(ctx: NodeContext): Handler {
  return async function metrics(c) {
    const text = await ctx.metrics.registry.metrics();
    return c.text(text, 200, { "content-type": ctx.metrics.registry.contentType });
  };
}
