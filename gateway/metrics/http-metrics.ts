// Per-request metrics and the access log line, recorded when the response (or the stream) ends.
import type { MiddlewareHandler } from "hono";
import type { Registry } from "prom-client";
import { writeAccessLine } from "./access-log.ts";
import { HotCounter, HotHistogram } from "./hot-metrics.ts";

export function httpMetrics(registry: Registry): MiddlewareHandler {
  const requests = new HotCounter({
    name: "switchyard_http_requests_total",
    help: "Requests by route, status code, model and tenant.",
    labelNames: ["route", "status", "model", "tenant"] as const,
    registers: [registry],
  });
  const duration = new HotHistogram({
    name: "switchyard_http_request_duration_seconds",
    help: "Time until the response headers were sent (for streams: until the first event was ready).",
    labelNames: ["route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return async function httpMetricsMiddleware(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath;
    const status = String(c.res.status);
    requests.inc({ route, status, model: c.get("model") ?? "", tenant: c.get("caller")?.tenant ?? "" });
    duration.observe({ route, status }, seconds);
    const log = c.get("log");
    if (log)
      writeAccessLine(log, {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(seconds * 10_000) / 10,
        model: c.get("model"),
        tenant: c.get("caller")?.tenant,
      });
  };
}
