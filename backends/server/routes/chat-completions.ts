// POST /v1/chat/completions: chat template → tokens → decoder engine → JSON or SSE chunks.
import type { Context, Handler } from "hono";
import { UnsupportedParameterError } from "#backends/errors.ts";
import { chatChunks, chatCompletion } from "#backends/server/completion-format.ts";
import { decoderFor } from "#backends/server/model-lookup.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { type ChatCompletionRequest, chatCompletionRequest } from "#gateway/openai/schemas.ts";
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
    refuseUnsupported(body);
    const promptIds = model.tokenizer.encode(model.chatTemplate.render(body.messages), false);
    return respondWithGeneration(c, ctx, { body, model, promptIds }, chatShape);
  };
}

/**
 * What no grammar here can guarantee is refused rather than answered with text that breaks the promise: JSON mode
 * and structured outputs, and a tool call the model must make. Tools the model may call ("auto") are accepted; it
 * answers in text.
 */
function refuseUnsupported(body: ChatCompletionRequest): void {
  const { response_format: format, tool_choice: toolChoice } = body as {
    response_format?: unknown;
    tool_choice?: unknown;
  };
  const formatType = (format as { type?: unknown } | null | undefined)?.type;
  if (formatType !== undefined && formatType !== "text")
    throw new UnsupportedParameterError(
      "response_format",
      `response_format ${String(formatType)} is not supported by this model node.`,
    );
  if (toolChoice === "required" || (toolChoice !== null && typeof toolChoice === "object"))
    throw new UnsupportedParameterError(
      "tool_choice",
      'This model node cannot guarantee a tool call: tool_choice may only be "auto" or "none".',
    );
}
