// Request schemas for the /v1 endpoints, following the official OpenAI spec (shared/openai-openapi): the fields
// the gateway reasons about are typed and range-checked; unknown fields pass through to nodes (vendor extensions).
import { z } from "zod";

const stop = z.union([z.string(), z.array(z.string()).max(4)]).nullish();
const streamOptions = z.object({ include_usage: z.boolean().optional() }).loose().nullish();

const contentPart = z
  .object({ type: z.string() })
  .loose()
  .refine((part) => part.type !== "text" || typeof (part as { text?: unknown }).text === "string", {
    message: "text content parts need a string `text`",
  });

const message = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
    // The spec gives every array of content parts minItems: 1.
    content: z.union([z.string(), z.array(contentPart).min(1), z.null()]).optional(),
    name: z.string().optional(),
  })
  .loose();

/** Sampling fields shared by chat and text completions. */
const sampling = {
  model: z.string().min(1),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stop,
  max_tokens: z.number().int().min(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  // Token id (as a string key) → bias; OpenAI's range.
  logit_bias: z.record(z.string().regex(/^\d+$/, "keys must be token ids"), z.number().min(-100).max(100)).nullish(),
  user: z.string().optional(),
};

export const chatCompletionRequest = z
  .object({
    ...sampling,
    messages: z.array(message).min(1),
    max_completion_tokens: z.number().int().min(1).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
  })
  .loose();
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

const tokenArray = z.array(z.number().int().nonnegative());
export const completionRequest = z
  .object({
    ...sampling,
    prompt: z.union([z.string(), z.array(z.string()), tokenArray, z.array(tokenArray)]),
    echo: z.boolean().nullish(),
    logprobs: z.number().int().min(0).max(5).nullish(),
  })
  .loose();
export type CompletionRequest = z.infer<typeof completionRequest>;

export const embeddingRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1), tokenArray.min(1), z.array(tokenArray.min(1)).min(1)]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().min(1).optional(),
    user: z.string().optional(),
  })
  .loose();
export type EmbeddingRequest = z.infer<typeof embeddingRequest>;
