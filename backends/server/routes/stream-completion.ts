// Streams a generation as SSE: headers go out as soon as the sequence is admitted (a full queue still throws a
// 429 first), each token's chunk is written from inside the engine's step report, and the outcome is counted when
// the stream ends (the request-metrics middleware skips streams, whose fate is only known then). A client that
// disconnects cancels the sequence, which frees its batch slot.
import type { Context } from "hono";
import type { GenerationSink } from "#backends/models/generation.ts";
import type { StreamChunks } from "#backends/server/completion-format.ts";
import { loadHeaderValues } from "#backends/server/load-headers.ts";
import { SseStream } from "#backends/server/sse-stream.ts";
import { sseTarget } from "#backends/server/sse-target.ts";
import type { NodeContext } from "./context.ts";

export function streamCompletion(
  c: Context,
  ctx: NodeContext,
  start: (sink: GenerationSink) => () => void,
  chunks: StreamChunks,
): Response {
  const endpoint = c.req.routePath;
  const model = c.get("model");
  const target = sseTarget(c);
  let cancel = () => {};
  const stream = new SseStream(target, (outcome) => {
    if (outcome === "cancelled") cancel();
    ctx.metrics.requests.inc({ endpoint, model, outcome });
  });
  cancel = start({
    text: (text, logprobs) => stream.send(chunks.text(text, logprobs)),
    end: (end) => stream.finish(chunks.end(end)),
    fail: (error) => stream.fail(error),
  });
  stream.open(loadHeaderValues(ctx.registry), chunks.opening);
  return target.response();
}
