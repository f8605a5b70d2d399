// Builds the gateway's Hono app without listening (tests call app.request(); gateway/server.ts listens).
import "./middleware/context.ts";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { httpMetrics } from "./metrics/http-metrics.ts";
import { apiKeyAuth } from "./middleware/auth.ts";
import { jsonBody } from "./middleware/json-body.ts";
import { identifyRequest } from "./middleware/request-id.ts";
import { GatewayError, internalError, NotFoundError } from "./openai/errors.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { jsonReply } from "./routes/reply.ts";
import { registerModelRoutes } from "./routes/v1/model-routes.ts";
import { registerModelListRoutes } from "./routes/v1/models.ts";
import type { GatewayRuntime } from "./runtime/runtime.ts";

export function createApp(runtime: GatewayRuntime): Hono {
  const app = new Hono();
  const { logger, metrics } = runtime.services;

  const idOptions = { logger, trustHeader: () => runtime.snapshot.config.server.trustRequestIdHeader };
  // One middleware rather than two: every level of Hono's middleware chain costs promise turns per request.
  app.use(async function requestContext(c, next) {
    identifyRequest(c, idOptions);
    // Read once: a reload mid-request must not change the config this request runs on.
    c.set("snapshot", runtime.snapshot);
    await next();
  });
  registerHealthRoutes(app, runtime);
  app.use("/v1/*", httpMetrics(metrics), apiKeyAuth());
  app.post(
    "/v1/*",
    jsonBody(() => runtime.snapshot.config.server.limits),
  );
  registerModelListRoutes(app, runtime);
  registerModelRoutes(app, runtime);

  app.notFound((c) => {
    const error = new NotFoundError(`Unknown request URL: ${c.req.method} ${c.req.path}.`, "unknown_url");
    return jsonReply(c, 404, error.toBody());
  });
  app.onError((err, c) => {
    const error = toGatewayError(err);
    if (error.status >= 500) c.get("log")?.error({ err }, "request failed");
    return jsonReply(c, error.status, error.toBody(), error.headers);
  });
  return app;
}

function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HTTPException) return new GatewayError(err.status, err.message || "Request failed.");
  return internalError(err);
}
