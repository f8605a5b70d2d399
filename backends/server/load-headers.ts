// Puts the node's live load on every response, so the gateway's balancer learns it without polling /health.
import type { MiddlewareHandler } from "hono";
import type { ModelRegistry } from "#backends/models/registry.ts";
import { respondedDirectly } from "#gateway/http/already-sent.ts";

/** x-queue-depth and x-running-sequences now; streams written directly send these with their own headers. */
export function loadHeaderValues(registry: ModelRegistry): Record<string, string> {
  let queued = 0;
  let running = 0;
  for (const load of registry.load()) {
    queued += load.queueDepth;
    running += load.running;
  }
  return { "x-queue-depth": String(queued), "x-running-sequences": String(running) };
}

export function loadHeaders(registry: ModelRegistry): MiddlewareHandler {
  return async function loadHeadersMiddleware(c, next) {
    await next();
    if (respondedDirectly(c.res)) return;
    for (const [name, value] of Object.entries(loadHeaderValues(registry))) c.res.headers.set(name, value);
  };
}
