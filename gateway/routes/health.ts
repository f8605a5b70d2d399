// Liveness (/healthz: the process answers) and readiness (/readyz: every configured model has a healthy node),
// plus /metrics for Prometheus.
import type { Hono } from "hono";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";
import type { Envelope } from "./envelope.ts";
import { jsonReply } from "./reply.ts";

export function registerHealthRoutes(app: Hono, runtime: GatewayRuntime, envelope: Envelope): void {
  app.get(
    "/healthz",
    envelope((c) => jsonReply(c, 200, { status: "ok" })),
  );
  app.get(
    "/readyz",
    envelope((c) => {
      const readiness = runtime.readiness();
      const status = readiness.ready ? "ready" : "not_ready";
      return jsonReply(c, readiness.ready ? 200 : 503, { status, ...readiness });
    }),
  );
  app.get(
    "/metrics",
    envelope(async (c) => {
      const registry = runtime.services.metrics;
      return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
    }),
  );
}
