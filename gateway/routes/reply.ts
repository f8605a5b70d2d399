// Every JSON response the gateway sends, with the request id, built as a Response with plain-object headers:
// @hono/node-server writes those straight to the socket, while c.header()/multi-header c.json() would build
// web Headers objects on every request (measured: the largest single cost on the proxy path).
import type { Context } from "hono";

export function jsonReply(c: Context, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return jsonTextReply(c, status, JSON.stringify(body), headers);
}

/** The same, for a body that is already JSON text (a node's answer relayed unchanged). */
export function jsonTextReply(c: Context, status: number, text: string, headers: Record<string, string>): Response {
  return new Response(text, {
    status,
    // The route's headers first: V8 copies a leading spread whole and adds later keys one at a time. Routes set
    // neither of the two named here.
    headers: { ...headers, "content-type": "application/json", "x-request-id": c.get("requestId") ?? "" },
  });
}
