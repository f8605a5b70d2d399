// Sends a completion stream and records its outcome when it ends (the request-metrics middleware skips streams,
// whose fate is only known at the end); a client that disconnects cancels the generation.
import type { Context } from "hono";
import { sseResponse } from "#backends/server/sse-response.ts";
import type { NodeContext } from "./context.ts";

export function streamCompletion(
  c: Context,
  ctx: NodeContext,
  payloads: AsyncIterable<string>,
  abort: AbortController,
): Response {
  const endpoint = c.req.routePath;
  const model = c.get("model");
  return sseResponse(payloads, {}, (outcome) => {
    if (outcome === "cancelled") abort.abort();
    ctx.metrics.requests.inc({ endpoint, model, outcome });
  });
}
