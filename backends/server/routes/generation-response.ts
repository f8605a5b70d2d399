// The shared tail of /v1/chat/completions and /v1/completions: turn the prompt into a generation, run it on the
// decoder engine (cancelled when the client leaves) and answer as SSE chunks or one JSON object.
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { type End, generateAll, type LogprobEntry, startGeneration } from "#backends/models/generation.ts";
import type { LoadedDecoder } from "#backends/models/registry.ts";
import { onClientGone } from "#backends/server/client-gone.ts";
import type { CompletionMeta, StreamChunks } from "#backends/server/completion-format.ts";
import { buildGeneration, type SamplingFields } from "#backends/server/generation-request.ts";
import type { NodeContext } from "./context.ts";
import { streamCompletion } from "./stream-completion.ts";

/** What differs between the two endpoints: ids, the prompt's parameter name and the response shapes. */
export type CompletionShape = {
  idPrefix: "chatcmpl" | "cmpl";
  promptParam: "messages" | "prompt";
  chunks(meta: CompletionMeta, includeUsage: boolean): StreamChunks;
  complete(meta: CompletionMeta, text: string, end: End, logprobs?: LogprobEntry[]): object;
};

type StreamFields = { stream?: boolean | null; stream_options?: { include_usage?: boolean } | null };

export async function respondWithGeneration(
  c: Context,
  ctx: NodeContext,
  request: { body: SamplingFields & StreamFields; model: LoadedDecoder; promptIds: number[] },
  shape: CompletionShape,
): Promise<Response> {
  const { body, model, promptIds } = request;
  const { spec, stop } = buildGeneration(body, model, promptIds, shape.promptParam);
  ctx.metrics.promptTokens.inc({ model: model.id }, promptIds.length);
  const meta = { id: `${shape.idPrefix}-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: model.id };
  if (body.stream) {
    const chunks = shape.chunks(meta, body.stream_options?.include_usage === true);
    return streamCompletion(c, ctx, (sink) => startGeneration(model.engine, model.tokenizer, spec, stop, sink), chunks);
  }
  const generation = generateAll(model.engine, model.tokenizer, spec, stop);
  onClientGone(c, generation.cancel);
  const { text, end, logprobs } = await generation.result;
  return c.json(shape.complete(meta, text, end, logprobs));
}
