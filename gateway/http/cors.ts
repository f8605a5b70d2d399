// CORS for browser clients of the API; off unless server.cors.allowOrigins names origins. A preflight is answered
// before authentication (browsers send it without the Authorization header), and an actual request from an allowed
// origin gets Access-Control-Allow-Origin, plus the response headers a script may read, on whatever the route
// answers: JSON, stream or error alike. Headers go onto Node's response before the route runs, so the stream relay,
// which writes its own head, sends them too.
import type { ServerResponse } from "node:http";
import type { Context } from "hono";
import type { SwitchyardConfig } from "#config/schema.ts";
import { requestHeader } from "./request-header.ts";

export type CorsConfig = SwitchyardConfig["server"]["cors"];

/** What an allowed origin's scripts may read besides the CORS-safelisted headers. */
const exposedHeaders = [
  "x-request-id",
  "x-switchyard-cache",
  "x-switchyard-quota-remaining-tokens",
  "retry-after",
  ...["limit", "remaining", "reset"].flatMap((kind) => [`x-ratelimit-${kind}-requests`, `x-ratelimit-${kind}-tokens`]),
].join(", ");

/** The Access-Control-Allow-Origin value for this request's Origin, or undefined when CORS does not apply. */
export function allowedOrigin(cors: CorsConfig, origin: string | undefined): string | undefined {
  if (!origin || cors.allowOrigins.length === 0) return undefined;
  if (cors.allowOrigins.includes("*")) return "*";
  return cors.allowOrigins.includes(origin) ? origin : undefined;
}

/** Headers for an actual (not preflight) response to an allowed origin. */
export function corsHeaders(allowed: string): Record<string, string> {
  const headers: Record<string, string> = {
    "access-control-allow-origin": allowed,
    "access-control-expose-headers": exposedHeaders,
  };
  // An answer that names the origin differs by origin: shared caches must key on it.
  if (allowed !== "*") headers.vary = "Origin";
  return headers;
}

/**
 * Marks the response of a request from an allowed origin; with CORS off it costs one config read. Without a Node
 * response behind the request (app.request() in tests) it returns what to apply to the route's Response instead.
 */
export function applyCors(c: Context, cors: CorsConfig): ((res: Response) => void) | undefined {
  if (cors.allowOrigins.length === 0) return undefined;
  const allowed = allowedOrigin(cors, requestHeader(c, "origin"));
  if (!allowed) return undefined;
  const headers = corsHeaders(allowed);
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) {
    for (const [name, value] of Object.entries(headers)) outgoing.setHeader(name, value);
    return undefined;
  }
  return (res) => {
    for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  };
}

/** The answer to a CORS preflight from an allowed origin, or undefined when this OPTIONS request is not one. */
export function preflightResponse(c: Context, cors: CorsConfig): Response | undefined {
  const allowed = allowedOrigin(cors, requestHeader(c, "origin"));
  if (!allowed || !requestHeader(c, "access-control-request-method")) return undefined;
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": allowed,
      "access-control-allow-methods": "GET, POST, OPTIONS",
      // Whatever the page asks to send (Authorization, Content-Type, OpenAI SDK's x-stainless-*): the origin is trusted.
      "access-control-allow-headers":
        requestHeader(c, "access-control-request-headers") ?? "authorization, content-type",
      "access-control-max-age": String(cors.maxAgeSeconds),
      vary: "Origin, Access-Control-Request-Headers",
    },
  });
}
