// Gives every request an id (the client's x-request-id when trusted, else a fresh one) and binds it into the
// request's logger (made on first use) so every log line carries it; routes/reply.ts echoes it on the response.
import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import { requestHeader } from "#gateway/http/request-header.ts";

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

// A random prefix per process plus a counter: unique across replicas and restarts, and far cheaper than a UUID
// per request.
const processPrefix = `req_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
let counter = 0;
const nextRequestId = () => `${processPrefix}${(++counter).toString(36).padStart(6, "0")}`;

export type RequestIdOptions = { logger: Logger; trustHeader: () => boolean };

/** Names the request and binds its logger (for callers that fold this into a middleware of their own). */
export function identifyRequest(c: Context, opts: RequestIdOptions): void {
  const offered = requestHeader(c, "x-request-id");
  const id = offered && opts.trustHeader() && acceptable.test(offered) ? offered : nextRequestId();
  c.set("requestId", id);
  c.set("baseLog", opts.logger);
}

/**
 * The request's logger, whose every line carries the request id; made on first use, since most requests write only
 * their access line, which is serialized without one (metrics/access-log.ts).
 */
export function requestLog(c: Context): Logger | undefined {
  let log = c.get("log");
  if (!log) {
    const base = c.get("baseLog");
    if (!base) return undefined;
    log = base.child({ requestId: c.get("requestId") });
    c.set("log", log);
  }
  return log;
}

export function requestId(opts: RequestIdOptions): MiddlewareHandler {
  return async function requestIdMiddleware(c, next) {
    identifyRequest(c, opts);
    await next();
  };
}
