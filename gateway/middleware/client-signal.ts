// An AbortSignal that fires when the client goes away before its response is complete. Taken from the Node
// response directly: reading `c.req.raw.signal` would make @hono/node-server build a full web Request per call.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";

export function clientSignal(c: Context): AbortSignal {
  const outgoing = (c.env as { outgoing?: ServerResponse; incoming?: IncomingMessage } | undefined)?.outgoing;
  if (!outgoing) return c.req.raw.signal;
  const controller = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) controller.abort(new Error("client closed the connection"));
  });
  return controller.signal;
}
