// Every JSON response the gateway sends, with the request id, built as a Response with plain-object headers:
// @hono/node-server writes those straight to the socket, while c.header()/multi-header c.json() would build
// web Headers objects on every request (measured: the largest single cost on the proxy path).
import type { Context } from "hono";

export function jsonReply(c: Context, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "x-request-id": c.get("requestId") ?? "", ...headers },
  });
}
