// POST /v1/chat/completions: chat template → tokens → decoder engine → JSON or SSE chunks.
import type { Context, Handler } from "hono";
import { chatChunks, chatCompletion } from "#backends/server/completion-format.ts";
import { decoderFor } from "#backends/server/model-lookup.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { chatCompletionRequest } from "#gateway/openai/schemas.ts";
import { validateBody } from "#gateway/openai/validate.ts";
import type { NodeContext } from "./context.ts";
import { type CompletionShape, respondWithGeneration } from "./generation-response.ts";

const chatShape: CompletionShape = {
  idPrefix: "chatcmpl",
  promptParam: "messages",
  chunks: chatChunks,
  complete: chatCompletion,
};

export function chatCompletionsRoute(ctx: NodeContext): Handler {
  return async function chatCompletions(c: Context) {
    const body = validateBody(chatCompletionRequest, c.get("jsonBody"));
    const model = decoderFor(c, ctx.registry, body.model);
    if (!model.chatTemplate) {
      throw new InvalidRequestError(
        `Model \`${model.id}\` has no chat template; use /v1/completions.`,
        "model",
        "model_not_supported",
      );
    }
    const promptIds = model.tokenizer.encode(model.chatTemplate.render(body.messages), false);
    return respondWithGeneration(c, ctx, { body, model, promptIds }, chatShape);
  };
}
