// Reads one request header from Node's own parsed headers when the request came in through @hono/node-server:
// c.req.header() checks the name and the value with regular expressions on every call, several times a request.
import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

/** `name` must be lower-case. Repeated headers come joined with ", ", as Node and the Fetch API both join them. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return typeof value === "string" ? value : value?.join(", ");
}
