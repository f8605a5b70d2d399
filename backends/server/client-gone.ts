// Notices a client that leaves before its answer is written, so the work done for it can stop. Node's response
// tells at no cost per request; the web Request's signal (what app.request() offers) makes the server adapter
// build a full web Request, so it is only the fallback.
import { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import { onClosedEarly } from "#gateway/http/closed-early.ts";

export function onClientGone(c: Context, listener: () => void): void {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing instanceof ServerResponse) onClosedEarly(outgoing, listener);
  else c.req.raw.signal.addEventListener("abort", listener, { once: true });
}
