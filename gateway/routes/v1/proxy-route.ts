// One handler shape for every model endpoint: validate → check limits and model → budget → forward → respond.
import type { Context } from "hono";
import type { z } from "zod";
import type { SwitchyardConfig } from "#config/schema.ts";
import { mayUse } from "#gateway/auth/model-access.ts";
import { requestHeader } from "#gateway/http/request-header.ts";
import { traceHeaders } from "#gateway/http/trace-context.ts";
import { watchClient } from "#gateway/middleware/client-signal.ts";
import { ModelNotFoundError } from "#gateway/openai/errors.ts";
import { validateBody } from "#gateway/openai/validate.ts";
import { requestBudget } from "#gateway/pipeline/deadline.ts";
import type { Endpoint, ForwardResult } from "#gateway/pipeline/types.ts";
import { resolveModel } from "#gateway/runtime/runtime.ts";
import type { RouteHandler } from "../envelope.ts";
import { respond } from "../respond.ts";

export type RouteSpec<T extends { model: string }> = {
  endpoint: Endpoint;
  schema: z.ZodType<T>;
  /** Endpoint-specific limits beyond the schema (message counts, token caps); throws InvalidRequestError. */
  checkLimits: (body: T, limits: SwitchyardConfig["server"]["limits"]) => void;
  streams: boolean;
};

/** Request headers that layers may read, and the trace context passed on to the node; nothing else is forwarded. */
const forwardedHeaders = ["x-switchyard-cache", "x-switchyard-tier", "cache-control", ...traceHeaders];

export function proxyRoute<T extends { model: string; stream?: boolean | null }>(spec: RouteSpec<T>): RouteHandler {
  // Not async: it throws its 4xx synchronously (the envelope turns them into answers) and returns the forwarder's
  // promise chained once, where an async function would add microtask turns to every request.
  return function proxyHandler(c: Context) {
    const snapshot = c.get("snapshot");
    const body = validateBody(spec.schema, c.get("jsonBody"));
    spec.checkLimits(body, snapshot.config.server.limits);
    // An alias is served as its target from here on: routed, cached, limited and labelled as that model.
    const model = resolveModel(snapshot, body.model);
    if (model === undefined || !mayUse(c.get("caller"), body.model, model)) throw new ModelNotFoundError(body.model);
    // Labelled only once known to be served: a client-chosen name must not mint new metric series.
    c.set("model", model);
    const deadlines = snapshot.config.routing.deadlines;
    const budget = requestBudget(deadlines, requestHeader(c, deadlines.header.toLowerCase()), watchClient(c));
    const headers: Record<string, string> = {};
    for (const name of forwardedHeaders) {
      const value = requestHeader(c, name);
      if (value !== undefined) headers[name] = value;
    }
    let forwarded: Promise<ForwardResult>;
    try {
      forwarded = snapshot.forwarder({
        endpoint: spec.endpoint,
        // Differs from body.model for an alias: the node is sent the body with this name (upstream/call-node.ts).
        model,
        body: body as Record<string, unknown>,
        // The schemas are loose and transform nothing, so the validated body says exactly what the text says.
        sent: { body: body as Record<string, unknown>, text: c.get("jsonText") },
        stream: spec.streams && body.stream === true,
        caller: c.get("caller"),
        requestId: c.get("requestId"),
        signal: budget.signal,
        deadline: budget.deadline,
        budget,
        headers,
      });
    } catch (error) {
      budget.dispose();
      throw error;
    }
    return forwarded.then(
      (result) => respond(c, result, () => budget.dispose()),
      (error: unknown) => {
        budget.dispose();
        throw error;
      },
    );
  };
}
