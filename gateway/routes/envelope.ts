// What every gateway route runs inside: request id, config snapshot and CORS, then (as the route asks)
// authentication and the JSON body, then the handler; errors become OpenAI error bodies; metrics and the access
// line are recorded.
// One function rather than a chain of Hono middleware: Hono skips its middleware machinery for a route with a
// single handler, and each level of that chain cost an async dispatch and promise turns per request.
import type { Context } from "hono";
import { applyCors } from "#gateway/http/cors.ts";
import type { HttpRecorder } from "#gateway/metrics/http-metrics.ts";
import { authenticate } from "#gateway/middleware/auth.ts";
import { readJsonBody } from "#gateway/middleware/json-body.ts";
import { identifyRequest, type RequestIdOptions } from "#gateway/middleware/request-id.ts";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";
import { errorReply } from "./error-reply.ts";

export type RouteHandler = (c: Context) => Response | Promise<Response>;

export type EnvelopeOptions = {
  /** Requires an API key (OpenAI's 401 without one). */
  authenticated?: boolean;
  /** Reads and parses a JSON object body within the configured limits first. */
  jsonBody?: boolean;
  /** Counts the request in the HTTP metrics and writes its access line, under this route pattern. */
  recordAs?: string;
};

export type Envelope = (handler: RouteHandler, opts?: EnvelopeOptions) => (c: Context) => Response | Promise<Response>;

export function createEnvelope(runtime: GatewayRuntime, record: HttpRecorder): Envelope {
  const idOptions: RequestIdOptions = {
    logger: runtime.services.logger,
    trustHeader: () => runtime.snapshot.config.server.trustRequestIdHeader,
  };
  return (handler, opts = {}) =>
    // Not async: a promise chain only where the route waits (for the body, for a node), since every async frame
    // costs each request microtask turns; Hono takes a Response or a promise of one.
    function enveloped(c) {
      const startedAt = performance.now();
      identifyRequest(c, idOptions);
      // Read once: a reload mid-request must not change the config this request runs on.
      const snapshot = runtime.snapshot;
      c.set("snapshot", snapshot);
      const corsWithoutNodeResponse = applyCors(c, snapshot.config.server.cors);
      const finish = (res: Response): Response => {
        corsWithoutNodeResponse?.(res);
        if (opts.recordAs !== undefined) record(c, opts.recordAs, res, startedAt);
        return res;
      };
      const fail = (error: unknown): Response => finish(errorReply(c, error));
      try {
        if (opts.authenticated) authenticate(c);
        const answer = opts.jsonBody
          ? readJsonBody(c, snapshot.config.server.limits).then(() => handler(c))
          : handler(c);
        return answer instanceof Promise ? answer.then(finish, fail) : finish(answer);
      } catch (error) {
        return fail(error);
      }
    };
}
