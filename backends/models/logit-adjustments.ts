// OpenAI's logit knobs, applied to one row of logits before sampling, as OpenAI defines them:
//   logit[j] += logit_bias[j]
//   logit[j] -= count[j] * frequency_penalty + (count[j] > 0 ? presence_penalty : 0)
// where count[j] is how often the sequence has generated token j so far (the prompt does not count, as in vLLM).
// A sequence without any of them carries no adjustments, and its rows are sampled untouched.

export type LogitAdjustments = {
  /** [token id, bias] pairs; ids are known to be inside the vocabulary. */
  bias: [token: number, bias: number][];
  presence: number;
  frequency: number;
};

/** The adjustments a request asks for, or undefined when it asks for none (the common case costs nothing). */
export function logitAdjustments(
  bias: Record<string, number> | null | undefined,
  presence: number | null | undefined,
  frequency: number | null | undefined,
): LogitAdjustments | undefined {
  const pairs = Object.entries(bias ?? {})
    .map(([token, value]) => [Number(token), value] as [number, number])
    .filter(([, value]) => value !== 0);
  if (!pairs.length && !presence && !frequency) return undefined;
  return { bias: pairs, presence: presence ?? 0, frequency: frequency ?? 0 };
}

/** Whether the sequence needs its generated tokens counted. */
export function penalizes(adjust: LogitAdjustments): boolean {
  return adjust.presence !== 0 || adjust.frequency !== 0;
}

/** Adjusts logits[offset …] in place; `counts` are the sequence's generated tokens so far. */
export function adjustLogits(
  logits: Float32Array,
  offset: number,
  adjust: LogitAdjustments,
  counts: ReadonlyMap<number, number> | undefined,
): void {
  for (const [token, bias] of adjust.bias) logits[offset + token]! += bias;
  if (!counts) return;
  for (const [token, count] of counts) logits[offset + token]! -= count * adjust.frequency + adjust.presence;
}
