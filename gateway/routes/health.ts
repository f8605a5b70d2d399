// Liveness (/healthz: the process answers) and readiness (/readyz: every configured model has a healthy node),
// plus /metrics for Prometheus.
import type { Hono } from "hono";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";

export function registerHealthRoutes(app: Hono, runtime: GatewayRuntime): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const readiness = runtime.readiness();
    return c.json({ status: readiness.ready ? "ready" : "not_ready", ...readiness }, readiness.ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const registry = runtime.services.metrics;
    return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
}
