// POST /v1/completions: a raw prompt (text or token ids, one per request) → decoder engine → JSON or SSE chunks.
import type { Context, Handler } from "hono";
import { UnsupportedParameterError } from "#backends/errors.ts";
import type { LoadedDecoder } from "#backends/models/registry.ts";
import { textChunks, textCompletion } from "#backends/server/completion-format.ts";
import { checkTokenIds } from "#backends/server/generation-request.ts";
import { decoderFor } from "#backends/server/model-lookup.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { type CompletionRequest, completionRequest } from "#gateway/openai/schemas.ts";
import { validateBody } from "#gateway/openai/validate.ts";
import type { NodeContext } from "./context.ts";
import { type CompletionShape, respondWithGeneration } from "./generation-response.ts";

const textShape: CompletionShape = {
  idPrefix: "cmpl",
  promptParam: "prompt",
  chunks: textChunks,
  complete: textCompletion,
};

export function completionsRoute(ctx: NodeContext): Handler {
  return async function completions(c: Context) {
    const body = validateBody(completionRequest, c.get("jsonBody"));
    const model = decoderFor(c, ctx.registry, body.model);
    refuseUnsupported(body);
    const promptIds = promptTokens(body.prompt, model);
    return respondWithGeneration(c, ctx, { body, model, promptIds }, textShape);
  };
}

/** Fields this node cannot honour are refused rather than silently ignored. */
function refuseUnsupported(body: CompletionRequest): void {
  if (body.echo) throw new UnsupportedParameterError("echo");
  const { best_of: bestOf, suffix } = body as { best_of?: unknown; suffix?: unknown };
  if (bestOf != null && bestOf !== 1) throw new UnsupportedParameterError("best_of");
  if (typeof suffix === "string" && suffix !== "") throw new UnsupportedParameterError("suffix");
}

/** Text is tokenized with the model's special tokens (BOS for Llama); token ids are taken as given. */
function promptTokens(prompt: CompletionRequest["prompt"], model: LoadedDecoder): number[] {
  const prompts: (string | number[])[] =
    typeof prompt === "string"
      ? [prompt]
      : Array.isArray(prompt[0]) || typeof prompt[0] === "string"
        ? (prompt as (string | number[])[])
        : [prompt as number[]];
  if (prompts.length !== 1)
    throw new UnsupportedParameterError("prompt", "This model node takes one prompt per request.");
  const only = prompts[0]!;
  if (typeof only === "string") {
    const ids = model.tokenizer.encode(only, true);
    return ids.length ? ids : documentStart(model);
  }
  if (!only.length) throw emptyPrompt();
  checkTokenIds(only, model.tokenizer.vocabSize, "prompt");
  return only;
}

/**
 * An empty text prompt asks for text "as if from the beginning of a new document" (OpenAI's default prompt is
 * GPT-2's <|endoftext|>): the model's BOS token where it has one. Without one there is nothing to start from, and
 * a zero-length input would fail inside the model (a 500) instead of being refused.
 */
function documentStart(model: LoadedDecoder): number[] {
  const bos = model.tokenizer.bosId;
  if (bos === null) throw emptyPrompt();
  return [bos];
}

const emptyPrompt = () => new InvalidRequestError("The prompt must not be empty.", "prompt", "invalid_value");
