// POST /v1/chat/completions: chat template → tokens → decoder engine → JSON or SSE chunks.
import { randomUUID } from "node:crypto";
import type { Context, Handler } from "hono";
import { generateText } from "#backends/models/generation.ts";
import { chatChunks, chatCompletion, collect } from "#backends/server/completion-format.ts";
import { buildGeneration } from "#backends/server/generation-request.ts";
import { decoderFor } from "#backends/server/model-lookup.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { chatCompletionRequest } from "#gateway/openai/schemas.ts";
import { validateBody } from "#gateway/openai/validate.ts";
import type { NodeContext } from "./context.ts";
import { streamCompletion } from "./stream-completion.ts";

export function chatCompletionsRoute(ctx: NodeContext): Handler {
  return async function chatCompletions(c: Context) {
    const body = validateBody(chatCompletionRequest, c.get("jsonBody"));
    c.set("model", body.model);
    const model = decoderFor(ctx.registry, body.model);
    if (!model.chatTemplate) {
      throw new InvalidRequestError(
        `Model \`${model.id}\` has no chat template; use /v1/completions.`,
        "model",
        "model_not_supported",
      );
    }
    const promptIds = model.tokenizer.encode(model.chatTemplate.render(body.messages), false);
    const { spec, stop } = buildGeneration(body, model, promptIds, "messages");
    ctx.metrics.promptTokens.inc({ model: model.id }, promptIds.length);
    const meta = { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: model.id };
    const abort = new AbortController();
    const events = generateText(
      model.engine,
      model.tokenizer,
      spec,
      stop,
      AbortSignal.any([c.req.raw.signal, abort.signal]),
    );
    if (body.stream) {
      return streamCompletion(c, ctx, chatChunks(meta, events, body.stream_options?.include_usage === true), abort);
    }
    const { text, end } = await collect(events);
    return c.json(chatCompletion(meta, text, end));
  };
}
