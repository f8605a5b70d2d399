// Turns the sampling fields of a chat or text completion request into a sequence for the decoder engine (sampling,
// seed, logit_bias and penalties, logprobs), enforcing what the node supports (n = 1), token ids inside the
// vocabulary and the model's context window (OpenAI's context_length_exceeded).
import { z } from "zod";
import { ContextLengthExceededError, UnsupportedParameterError } from "#backends/errors.ts";
import type { SequenceSpec } from "#backends/models/decoder-engine.ts";
import { logitAdjustments } from "#backends/models/logit-adjustments.ts";
import { randomSeed } from "#backends/models/prng.ts";
import type { LoadedDecoder } from "#backends/models/registry.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { validateBody } from "#gateway/openai/validate.ts";

/** Fields beyond OpenAI's that the node understands (vLLM names them the same way). */
const extensions = z
  .object({
    top_k: z.number().int().min(-1).nullish(),
    ignore_eos: z.boolean().nullish(),
  })
  .loose();

export type SamplingFields = {
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  /** Chat: true or false (with top_logprobs); text completions: how many alternatives (0–5). */
  logprobs?: boolean | number | null;
  top_logprobs?: number | null;
};

export type Generation = { spec: SequenceSpec; stop: string[] };

export function buildGeneration(
  body: SamplingFields,
  model: LoadedDecoder,
  promptIds: number[],
  promptParam: string,
): Generation {
  const extra = validateBody(extensions, body);
  if ((body.n ?? 1) !== 1) throw new UnsupportedParameterError("n", "This model node supports n = 1 only.");
  const limit = model.contextLength;
  if (promptIds.length >= limit) {
    throw new ContextLengthExceededError(
      `This model's maximum context length is ${limit} tokens. However, your prompt is ${promptIds.length} tokens long, which leaves no room for a completion.`,
      promptParam,
    );
  }
  const room = limit - promptIds.length;
  const requested = body.max_completion_tokens ?? body.max_tokens ?? null;
  if (requested !== null && requested > room) {
    throw new ContextLengthExceededError(
      `This model's maximum context length is ${limit} tokens. However, you requested ${promptIds.length + requested} tokens (${promptIds.length} in the prompt, ${requested} for the completion). Please reduce the prompt or the completion length.`,
      body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens",
    );
  }
  const stop = body.stop == null ? [] : typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.logit_bias) checkTokenIds(Object.keys(body.logit_bias).map(Number), model.tokenizer.vocabSize, "logit_bias");
  const adjust = logitAdjustments(body.logit_bias, body.presence_penalty, body.frequency_penalty);
  const logprobs = requestedLogprobs(body);
  return {
    spec: {
      promptIds,
      maxNewTokens: requested ?? room,
      sampling: { temperature: body.temperature ?? 1, topP: body.top_p ?? 1, topK: Math.max(extra.top_k ?? 0, 0) },
      seed: body.seed ?? randomSeed(),
      ignoreEos: extra.ignore_eos ?? false,
      ...(adjust && { adjust }),
      ...(logprobs !== undefined && { logprobs }),
    },
    stop,
  };
}

/** How many alternatives each token's logprob comes with, or undefined when the request wants no logprobs. */
function requestedLogprobs(body: SamplingFields): number | undefined {
  if (typeof body.logprobs === "number") return body.logprobs;
  if (body.logprobs === true) return body.top_logprobs ?? 0;
  if (body.top_logprobs)
    throw new InvalidRequestError("'top_logprobs' requires 'logprobs' to be true.", "top_logprobs", "invalid_value");
  return undefined;
}

/** Token ids a client sends must exist in the vocabulary, or onnxruntime would fail on the embedding lookup. */
export function checkTokenIds(ids: readonly number[], vocabSize: number, param: string): void {
  const bad = ids.find((id) => id >= vocabSize);
  if (bad !== undefined)
    throw new InvalidRequestError(
      `Token id ${bad} is outside the vocabulary (size ${vocabSize}).`,
      param,
      "invalid_value",
    );
}
