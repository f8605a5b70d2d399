// Counts requests by endpoint, model and outcome. Streams are counted by their route when they end, because a
// 200 stream can still be cancelled or fail halfway.
import type { MiddlewareHandler } from "hono";
import type { NodeMetrics } from "#backends/metrics.ts";
import type { ModelRegistry } from "#backends/models/registry.ts";
import { respondedDirectly } from "#gateway/http/already-sent.ts";

export function requestMetrics(metrics: NodeMetrics, registry: ModelRegistry): MiddlewareHandler {
  return async function requestMetricsMiddleware(c, next) {
    await next();
    if (respondedDirectly(c.res) || c.res.headers.get("content-type")?.startsWith("text/event-stream")) return;
    const requested = c.get("model");
    const model = requested && registry.get(requested) ? requested : "none";
    metrics.requests.inc({ endpoint: c.req.routePath, model, outcome: outcomeOf(c.res.status) });
  };
}

export function outcomeOf(status: number): string {
  if (status < 400) return "ok";
  if (status === 429 || status === 503) return "overloaded";
  if (status === 499) return "cancelled";
  return status < 500 ? "client_error" : "server_error";
}
