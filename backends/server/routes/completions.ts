// POST /v1/completions: a raw prompt (text or token ids, one per request) → decoder engine → JSON or SSE chunks.
import { randomUUID } from "node:crypto";
import type { Context, Handler } from "hono";
import { generateText } from "#backends/models/generation.ts";
import type { LoadedDecoder } from "#backends/models/registry.ts";
import { collect, textChunks, textCompletion } from "#backends/server/completion-format.ts";
import { buildGeneration, checkTokenIds } from "#backends/server/generation-request.ts";
import { decoderFor } from "#backends/server/model-lookup.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { type CompletionRequest, completionRequest } from "#gateway/openai/schemas.ts";
import { validateBody } from "#gateway/openai/validate.ts";
import type { NodeContext } from "./context.ts";
import { streamCompletion } from "./stream-completion.ts";

export function completionsRoute(ctx: NodeContext): Handler {
  return async function completions(c: Context) {
    const body = validateBody(completionRequest, c.get("jsonBody"));
    c.set("model", body.model);
    const model = decoderFor(ctx.registry, body.model);
    if (body.echo)
      throw new InvalidRequestError("echo is not supported by this model node.", "echo", "unsupported_value");
    const promptIds = promptTokens(body.prompt, model);
    const { spec, stop } = buildGeneration(body, model, promptIds, "prompt");
    ctx.metrics.promptTokens.inc({ model: model.id }, promptIds.length);
    const meta = { id: `cmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: model.id };
    const abort = new AbortController();
    const events = generateText(
      model.engine,
      model.tokenizer,
      spec,
      stop,
      AbortSignal.any([c.req.raw.signal, abort.signal]),
    );
    if (body.stream) {
      return streamCompletion(c, ctx, textChunks(meta, events, body.stream_options?.include_usage === true), abort);
    }
    const { text, end } = await collect(events);
    return c.json(textCompletion(meta, text, end));
  };
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
    throw new InvalidRequestError("This model node takes one prompt per request.", "prompt", "unsupported_value");
  const only = prompts[0]!;
  if (typeof only === "string") return model.tokenizer.encode(only, true);
  if (!only.length) throw new InvalidRequestError("The prompt must not be empty.", "prompt", "invalid_value");
  checkTokenIds(only, model.tokenizer.vocabSize, "prompt");
  return only;
}
