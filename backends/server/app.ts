// The model node's Hono app without a listener: OpenAI routes, health and metrics, body limits, load headers
// and one error handler that renders every failure in OpenAI's error shape (4xx for bad input, never a crash).
import { Hono } from "hono";
import type { Logger } from "pino";
import { internalNodeError } from "#backends/errors.ts";
import { jsonBody } from "#gateway/middleware/json-body.ts";
import { NotFoundError } from "#gateway/openai/errors.ts";
import { loadHeaders } from "./load-headers.ts";
import { requestMetrics } from "./request-metrics.ts";
import { chatCompletionsRoute } from "./routes/chat-completions.ts";
import { completionsRoute } from "./routes/completions.ts";
import type { NodeContext } from "./routes/context.ts";
import { embeddingsRoute } from "./routes/embeddings.ts";
import { healthRoute } from "./routes/health.ts";
import { metricsRoute } from "./routes/metrics.ts";
import { modelRoute, modelsRoute } from "./routes/models.ts";

/** JSON nesting beyond this is refused before parsing (OpenAI bodies are a few levels deep). */
const maxJsonDepth = 64;

export function createNodeApp(ctx: NodeContext, logger: Logger): Hono {
  const app = new Hono();
  app.use("*", loadHeaders(ctx.registry));
  app.use("*", requestMetrics(ctx.metrics, ctx.registry));
  const body = jsonBody(() => ({ maxBodyBytes: ctx.config.maxBodyBytes, maxJsonDepth }));
  app.post("/v1/chat/completions", body, chatCompletionsRoute(ctx));
  app.post("/v1/completions", body, completionsRoute(ctx));
  app.post("/v1/embeddings", body, embeddingsRoute(ctx));
  app.get("/v1/models", modelsRoute(ctx));
  app.get("/v1/models/:id{.+}", modelRoute(ctx));
  app.get("/health", healthRoute(ctx));
  app.get("/metrics", metricsRoute(ctx));
  app.notFound((c) => {
    const error = new NotFoundError(`Unknown route ${c.req.method} ${c.req.path}.`, "unknown_url");
    return c.json(error.toBody(), 404);
  });
  app.onError((err, c) => {
    const error = internalNodeError(err);
    if (error.status >= 500) logger.error({ err, path: c.req.path }, "request failed");
    return c.json(error.toBody(), error.status as 500, error.headers);
  });
  return app;
}
