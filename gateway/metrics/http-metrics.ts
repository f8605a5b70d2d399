// Per-request metrics and the access log line, recorded when the response (or the stream) ends.
import type { MiddlewareHandler } from "hono";
import { Counter, Histogram, type Registry } from "prom-client";
import { writeAccessLine } from "./access-log.ts";

export function httpMetrics(registry: Registry): MiddlewareHandler {
  const requests = new Counter({
    name: "switchyard_http_requests_total",
    help: "Requests by route, status code, model and tenant.",
    labelNames: ["route", "status", "model", "tenant"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "switchyard_http_request_duration_seconds",
    help: "Time until the response headers were sent (for streams: until the first event was ready).",
    labelNames: ["route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  // Children bound once per label combination: labels() validates and builds its label object on every call.
  const durations = new Map<string, ReturnType<typeof duration.labels>>();
  const durationFor = (route: string, status: string) => {
    const key = `${route} ${status}`;
    let child = durations.get(key);
    if (!child) {
      child = duration.labels(route, status);
      durations.set(key, child);
    }
    return child;
  };
  const counts = new Map<string, ReturnType<typeof requests.labels>>();
  const countFor = (route: string, status: string, model: string, tenant: string) => {
    const key = `${route}\u0000${status}\u0000${model}\u0000${tenant}`;
    let child = counts.get(key);
    if (!child) {
      child = requests.labels(route, status, model, tenant);
      counts.set(key, child);
    }
    return child;
  };
  return async function httpMetricsMiddleware(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath;
    const status = String(c.res.status);
    countFor(route, status, c.get("model") ?? "", c.get("caller")?.tenant ?? "").inc();
    durationFor(route, status).observe(seconds);
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
