// POST /v1/embeddings: inputs (text or token ids) → tokens → dynamic batcher → unit-norm vectors as float
// arrays or base64 little-endian float32, the two encodings OpenAI defines.
import type { Context, Handler } from "hono";
import { ContextLengthExceededError, UnsupportedParameterError } from "#backends/errors.ts";
import type { LoadedEncoder } from "#backends/models/registry.ts";
import { onClientGone } from "#backends/server/client-gone.ts";
import { checkTokenIds } from "#backends/server/generation-request.ts";
import { encoderFor } from "#backends/server/model-lookup.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { type EmbeddingRequest, embeddingRequest } from "#gateway/openai/schemas.ts";
import { validateBody } from "#gateway/openai/validate.ts";
import type { NodeContext } from "./context.ts";

export function embeddingsRoute(ctx: NodeContext): Handler {
  return async function embeddings(c: Context) {
    const body = validateBody(embeddingRequest, c.get("jsonBody"));
    const model = encoderFor(c, ctx.registry, body.model);
    const inputs = inputTokens(body.input, model);
    if (inputs.length > model.engine.maxQueueLength) {
      throw new InvalidRequestError(
        `At most ${model.engine.maxQueueLength} inputs fit in one request.`,
        "input",
        "invalid_value",
      );
    }
    const tokens = inputs.reduce((n, ids) => n + ids.length, 0);
    ctx.metrics.promptTokens.inc({ model: model.id }, tokens);
    // Watched through Node's response: reading c.req.raw.signal would build a full web Request per call.
    const clientGone = new AbortController();
    onClientGone(c, () => clientGone.abort());
    const vectors = await model.engine.embed(inputs, clientGone.signal);
    const dim = vectors[0]?.length ?? 0;
    if (body.dimensions !== undefined && body.dimensions !== dim) {
      throw new UnsupportedParameterError(
        "dimensions",
        `Model \`${model.id}\` produces ${dim}-dimensional embeddings only.`,
      );
    }
    const base64 = body.encoding_format === "base64";
    return c.json({
      object: "list",
      data: vectors.map((v, index) => ({
        object: "embedding",
        index,
        embedding: base64 ? toBase64(v) : Array.from(v),
      })),
      model: model.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };
}

function inputTokens(input: EmbeddingRequest["input"], model: LoadedEncoder): number[][] {
  const items: (string | number[])[] =
    typeof input === "string"
      ? [input]
      : typeof input[0] === "number"
        ? [input as number[]]
        : (input as (string | number[])[]);
  return items.map((item, i) => {
    const param = typeof input === "string" ? "input" : `input[${i}]`;
    const ids = typeof item === "string" ? model.tokenizer.encode(item, true) : item;
    if (typeof item !== "string") checkTokenIds(ids, model.tokenizer.vocabSize, param);
    if (ids.length > model.contextLength) {
      throw new ContextLengthExceededError(
        `This model's maximum context length is ${model.contextLength} tokens, however input ${i} has ${ids.length} tokens.`,
        param,
      );
    }
    return ids;
  });
}

/** OpenAI's base64 encoding: the float32 values' little-endian bytes. */
function toBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64");
}
