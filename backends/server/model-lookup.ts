// Resolves the request's model id to a loaded model of the kind the endpoint needs, with OpenAI's errors.
import type { LoadedDecoder, LoadedEncoder, ModelRegistry } from "#backends/models/registry.ts";
import { InvalidRequestError, ModelNotFoundError } from "#gateway/openai/errors.ts";

export function decoderFor(registry: ModelRegistry, id: string): LoadedDecoder {
  const model = registry.get(id);
  if (!model) throw new ModelNotFoundError(id);
  if (model.kind !== "decoder")
    throw new InvalidRequestError(
      `Model \`${id}\` is an embedding model; use /v1/embeddings.`,
      "model",
      "model_not_supported",
    );
  return model;
}

export function encoderFor(registry: ModelRegistry, id: string): LoadedEncoder {
  const model = registry.get(id);
  if (!model) throw new ModelNotFoundError(id);
  if (model.kind !== "encoder")
    throw new InvalidRequestError(
      `Model \`${id}\` generates text; it does not serve /v1/embeddings.`,
      "model",
      "model_not_supported",
    );
  return model;
}
