// Notices a client that leaves before its answer is written, so the work done for it can stop. Node's response
// tells at no cost per request; the web Request's signal (what app.request() offers) makes the server adapter
// build a full web Request, so it is only the fallback.
import { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";

export function onClientGone(c: Context, listener: () => void): void {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing instanceof ServerResponse) onClosedEarly(outgoing, listener);
  else c.req.raw.signal.addEventListener("abort", listener, { once: true });
}

/** Calls `listener` once if `res` closes before its last byte went out (at once if it already has). */
export function onClosedEarly(res: ServerResponse, listener: () => void): void {
  if (res.destroyed) {
    listener();
    return;
  }
  // `close` also follows a normal end: only one before the response finished means the client left.
  res.once("close", () => {
    if (!res.writableFinished) listener();
  });
}
