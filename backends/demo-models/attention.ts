// Grouped-query self-attention with an optional KV cache, and the padding / causal masks it takes.

import { linear } from "./layers.ts";
import { type GraphBuilder, intAttr, intsAttr, ONNX_DTYPE } from "./onnx-builder.ts";

export type AttentionShape = { hiddenSize: number; numHeads: number; numKvHeads: number; headDim: number };
export type KvNames = { key: string; value: string };
export type KvCache = { past: KvNames; present: KvNames };

/** Large negative instead of -inf so a fully masked row (a padding query) softmaxes to uniform, not NaN. */
const MASKED_SCORE = -1e9;

/**
 * Queries are laid out [B, kvHeads, group, S, D] so query head h reads kv head floor(h / group), the order of
 * Hugging Face's repeat_kv, through MatMul broadcasting instead of copying keys per query head.
 * `allowed` is a bool mask broadcastable to [B, kvHeads, group, S, T].
 */
export function selfAttention(
  g: GraphBuilder,
  x: string,
  name: string,
  shape: AttentionShape,
  allowed: string,
  cache?: KvCache,
): string {
  const { hiddenSize, numHeads, numKvHeads, headDim } = shape;
  const group = numHeads / numKvHeads;
  const q = linear(g, x, `${name}.q_proj`, hiddenSize, numHeads * headDim);
  const scaledQ = g.op("Mul", [q, g.float(1 / Math.sqrt(headDim))]);
  const q5 = transpose(g, g.op("Reshape", [scaledQ, g.int64s([0, 0, numKvHeads, group, headDim])]), [0, 2, 3, 1, 4]);

  const headsFirst = (projection: string) => {
    const flat = linear(g, x, `${name}.${projection}`, hiddenSize, numKvHeads * headDim);
    return transpose(g, g.op("Reshape", [flat, g.int64s([0, 0, numKvHeads, headDim])]), [0, 2, 1, 3]);
  };
  let key = headsFirst("k_proj");
  let value = headsFirst("v_proj");
  if (cache) {
    const concat = { attrs: { axis: intAttr(2) } };
    key = g.op("Concat", [cache.past.key, key], { ...concat, output: cache.present.key });
    value = g.op("Concat", [cache.past.value, value], { ...concat, output: cache.present.value });
  }

  const keyT = g.op("Unsqueeze", [transpose(g, key, [0, 1, 3, 2]), g.int64s([2])]);
  const scores = g.op("MatMul", [q5, keyT]);
  const masked = g.op("Where", [allowed, scores, g.float(MASKED_SCORE)]);
  const probs = g.op("Softmax", [masked], { attrs: { axis: intAttr(-1) } });
  const context = g.op("MatMul", [probs, g.op("Unsqueeze", [value, g.int64s([2])])]);
  const merged = g.op("Reshape", [transpose(g, context, [0, 3, 1, 2, 4]), g.int64s([0, 0, -1])]);
  return linear(g, merged, `${name}.o_proj`, numHeads * headDim, hiddenSize);
}

/** attention_mask [B, T] (1 = token, 0 = padding) as a bool mask [B, 1, 1, 1, T]. */
export function paddingMask(g: GraphBuilder, attentionMask: string): string {
  const asBool = g.op("Cast", [attentionMask], { attrs: { to: intAttr(ONNX_DTYPE.bool) } });
  return g.op("Unsqueeze", [asBool, g.int64s([1, 2, 3])]);
}

/**
 * Key j is visible to query i when j <= past + i (causal over the cache plus the new tokens) and attention_mask[j] is 1.
 * Result: bool [B, 1, 1, S, past + S].
 */
export function causalPaddingMask(g: GraphBuilder, inputIds: string, attentionMask: string, pastKey: string): string {
  const lengthAt = (tensor: string, axis: number) => {
    const dim = g.op("Shape", [tensor], { attrs: { start: intAttr(axis), end: intAttr(axis + 1) } });
    return g.op("Squeeze", [dim, g.int64s([0])]);
  };
  const pastLength = lengthAt(pastKey, 2);
  const total = g.op("Add", [pastLength, lengthAt(inputIds, 1)]);
  const one = g.int64s([1], true);
  const keyIndex = g.op("Range", [g.int64s([0], true), total, one]);
  const queryIndex = g.op("Unsqueeze", [g.op("Range", [pastLength, total, one]), g.int64s([1])]);
  const causal = g.op("LessOrEqual", [keyIndex, queryIndex]);
  return g.op("And", [causal, paddingMask(g, attentionMask)]);
}

function transpose(g: GraphBuilder, x: string, perm: number[]): string {
  return g.op("Transpose", [x], { attrs: { perm: intsAttr(perm) } });
}
