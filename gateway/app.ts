// Builds the gateway's Hono app without listening (tests call app.request(); gateway/server.ts listens).
// Every route runs in the envelope (routes/envelope.ts) instead of app-wide middleware, so each has one handler.
import "./middleware/context.ts";
import { type Context, Hono } from "hono";
import { preflightResponse } from "./http/cors.ts";
import { httpRecorder } from "./metrics/http-metrics.ts";
import { NotFoundError } from "./openai/errors.ts";
import { createEnvelope, type RouteHandler } from "./routes/envelope.ts";
import { errorReply } from "./routes/error-reply.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerModelRoutes } from "./routes/v1/model-routes.ts";
import { registerModelListRoutes } from "./routes/v1/models.ts";
import type { GatewayRuntime } from "./runtime/runtime.ts";

export function createApp(runtime: GatewayRuntime): Hono {
  const app = new Hono();
  const envelope = createEnvelope(runtime, httpRecorder(runtime.services.metrics));
  registerHealthRoutes(app, runtime, envelope);
  registerModelListRoutes(app, runtime, envelope);
  registerModelRoutes(app, envelope);

  const unknownUrl: RouteHandler = (c) => {
    throw new NotFoundError(`Unknown request URL: ${c.req.method} ${c.req.path}.`, "unknown_url");
  };
  // Under /v1 a key is checked first, as for every API route, and the miss is counted.
  const unknownApiUrl = envelope(unknownUrl, { authenticated: true, recordAs: "/v1/*" });
  const unknownOtherUrl = envelope(unknownUrl);
  const notFound = (c: Context) => (c.req.path.startsWith("/v1/") ? unknownApiUrl(c) : unknownOtherUrl(c));
  // A browser's CORS preflight comes without a key; anything else sent as OPTIONS is an unknown URL.
  app.options("*", (c) => preflightResponse(c, runtime.snapshot.config.server.cors) ?? notFound(c));
  app.notFound(notFound);
  // Only what Hono itself throws gets here: the envelope answers for everything inside a route.
  app.onError((err, c) => errorReply(c, err));
  return app;
}
