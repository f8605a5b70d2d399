// Log-probabilities for OpenAI's `logprobs`: the sampled token's and the most likely alternatives', from the model's
// raw logits (log-softmax before temperature, top-p/top-k, logit_bias or penalties; vLLM's default, and what the
// model itself believes). Computed in the worker, next to the logits, for sequences that ask only.
import { topK } from "./sampling.ts";

export type TokenLogprob = {
  logprob: number;
  /** The `top` most likely tokens, most likely first: [token id, logprob]. */
  top: [token: number, logprob: number][];
};

export function tokenLogprob(
  logits: Float32Array,
  offset: number,
  vocab: number,
  token: number,
  top: number,
): TokenLogprob {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[offset + i]! - max);
  const logNormalizer = max + Math.log(sum);
  const logprobOf = (id: number) => logits[offset + id]! - logNormalizer;
  const count = Math.min(top, vocab);
  const best = count > 0 ? Array.from(topK(logits, offset, vocab, count)) : [];
  best.sort((a, b) => logits[offset + b]! - logits[offset + a]! || a - b);
  return { logprob: logprobOf(token), top: best.map((id) => [id, logprobOf(id)]) };
}
