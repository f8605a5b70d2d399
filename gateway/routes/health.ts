// Liveness (/healthz: the process answers) and readiness (/readyz: every configured model has a healthy node),
// plus /metrics for Prometheus.
import type { Hono } from "hono";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";
import { jsonReply } from "./reply.ts";

export function registerHealthRoutes(app: Hono, runtime: GatewayRuntime): void {
  app.get("/healthz", (c) => jsonReply(c, 200, { status: "ok" }));
  app.get("/readyz", (c) => {
    const readiness = runtime.readiness();
    return jsonReply(c, readiness.ready ? 200 : 503, { status: readiness.ready ? "ready" : "not_ready", ...readiness });
  });
  app.get("/metrics", async (c) => {
    const registry = runtime.services.metrics;
    return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
}
