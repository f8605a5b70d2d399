// Puts the node's live load on every response, so the gateway's balancer learns it without polling /health.
import type { MiddlewareHandler } from "hono";
import type { ModelRegistry } from "#backends/models/registry.ts";

export function loadHeaders(registry: ModelRegistry): MiddlewareHandler {
  return async function loadHeadersMiddleware(c, next) {
    await next();
    let queued = 0;
    let running = 0;
    for (const load of registry.load()) {
      queued += load.queueDepth;
      running += load.running;
    }
    c.res.headers.set("x-queue-depth", String(queued));
    c.res.headers.set("x-running-sequences", String(running));
  };
}
