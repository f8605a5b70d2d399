// Resolves the request's model id to a loaded model of the kind the endpoint needs, with OpenAI's errors, and only
// then names the model on the request for metrics and logs: a client-chosen name must not mint new metric series.
import type { Context } from "hono";
import type { LoadedDecoder, LoadedEncoder, ModelRegistry } from "#backends/models/registry.ts";
import { InvalidRequestError, ModelNotFoundError } from "#gateway/openai/errors.ts";

export function decoderFor(c: Context, registry: ModelRegistry, id: string): LoadedDecoder {
  const model = registry.get(id);
  if (!model) throw new ModelNotFoundError(id);
  if (model.kind !== "decoder")
    throw new InvalidRequestError(
      `Model \`${id}\` is an embedding model; use /v1/embeddings.`,
      "model",
      "model_not_supported",
    );
  c.set("model", model.id);
  return model;
}

export function encoderFor(c: Context, registry: ModelRegistry, id: string): LoadedEncoder {
  const model = registry.get(id);
  if (!model) throw new ModelNotFoundError(id);
  if (model.kind !== "encoder")
    throw new InvalidRequestError(
      `Model \`${id}\` generates text; it does not serve /v1/embeddings.`,
      "model",
      "model_not_supported",
    );
  c.set("model", model.id);
  return model;
}
