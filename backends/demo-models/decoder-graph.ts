// GPT-style decoder graph with the input/output names and layout of a Hugging Face Optimum export with KV cache.
import { causalPaddingMask, type KvNames, selfAttention } from "./attention.ts";
import { feedForward, layerNorm, silu } from "./layers.ts";
import { type Dim, GraphBuilder, graphAttr, type ModelProto, toModel } from "./onnx-builder.ts";
import type { DecoderSpec } from "./specs.ts";

export const pastNames = (layer: number): KvNames => ({
  key: `past_key_values.${layer}.key`,
  value: `past_key_values.${layer}.value`,
});
export const presentNames = (layer: number): KvNames => ({
  key: `present.${layer}.key`,
  value: `present.${layer}.value`,
});

export type DecoderGraphOptions = {
  /** Optimum's decoder_model_merged form: a bool `use_cache_branch` input picks the given past or an empty one. */
  mergedCacheBranch?: boolean;
};

export function buildDecoderModel(spec: DecoderSpec, options: DecoderGraphOptions = {}): ModelProto {
  if (spec.numHeads % spec.numKvHeads !== 0) throw new Error("numHeads must be a multiple of numKvHeads");
  const g = new GraphBuilder(spec.seed);
  const kvDims = (length: string): Dim[] => ["batch_size", spec.numKvHeads, length, spec.headDim];
  const inputIds = g.input("input_ids", "int64", ["batch_size", "sequence_length"]);
  const attentionMask = g.input("attention_mask", "int64", ["batch_size", "total_sequence_length"]);
  const positionIds = g.input("position_ids", "int64", ["batch_size", "sequence_length"]);
  const declaredPast = Array.from({ length: spec.numLayers }, (_, layer) => {
    const names = pastNames(layer);
    g.input(names.key, "float32", kvDims("past_sequence_length"));
    g.input(names.value, "float32", kvDims("past_sequence_length"));
    return names;
  });
  const past = options.mergedCacheBranch ? cacheBranch(g, declaredPast, kvDims("past_sequence_length")) : declaredPast;

  const tokens = g.op("Gather", [
    g.weight("model.embed_tokens.weight", [spec.vocabSize, spec.hiddenSize], 0.5),
    inputIds,
  ]);
  const positions = g.op("Gather", [
    g.weight("model.embed_positions.weight", [spec.maxPositions, spec.hiddenSize], 0.5),
    positionIds,
  ]);
  let hidden = g.op("Add", [tokens, positions]);
  const allowed = causalPaddingMask(g, inputIds, attentionMask, past[0]!.key);

  for (let layer = 0; layer < spec.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    const cache = { past: past[layer]!, present: presentNames(layer) };
    const normed = layerNorm(g, hidden, `${prefix}.input_layernorm`, spec.hiddenSize, spec.layerNormEps);
    const attended = selfAttention(g, normed, `${prefix}.self_attn`, spec, allowed, cache);
    hidden = g.op("Add", [hidden, attended]);
    const normed2 = layerNorm(g, hidden, `${prefix}.post_attention_layernorm`, spec.hiddenSize, spec.layerNormEps);
    hidden = g.op("Add", [
      hidden,
      feedForward(g, normed2, `${prefix}.mlp`, spec.hiddenSize, spec.intermediateSize, silu),
    ]);
  }

  const finalNorm = layerNorm(g, hidden, "model.norm", spec.hiddenSize, spec.layerNormEps);
  const lmHead = g.weight("lm_head.weight", [spec.hiddenSize, spec.vocabSize], 1 / Math.sqrt(spec.hiddenSize));
  g.op("MatMul", [finalNorm, lmHead], { output: "logits" });
  g.output("logits", "float32", ["batch_size", "sequence_length", spec.vocabSize]);
  for (let layer = 0; layer < spec.numLayers; layer++) {
    const names = presentNames(layer);
    g.output(names.key, "float32", kvDims("total_sequence_length"));
    g.output(names.value, "float32", kvDims("total_sequence_length"));
  }
  const doc = "Switchyard demo GPT-style decoder: seeded random weights, Optimum I/O layout, grouped-query attention.";
  return toModel(g.toGraph(options.mergedCacheBranch ? "demo-gpt-merged" : "demo-gpt"), doc);
}

/** If(use_cache_branch): then the given past, else the past sliced to length 0 (Optimum's no-cache branch). */
function cacheBranch(g: GraphBuilder, declared: KvNames[], dims: Dim[]): KvNames[] {
  const useCache = g.input("use_cache_branch", "bool", [1]);
  const flat = declared.flatMap((kv) => [kv.key, kv.value]);
  const withCache = new GraphBuilder("then");
  const withoutCache = new GraphBuilder("else");
  for (const name of flat) {
    withCache.op("Identity", [name], { output: `${name}/with_cache` });
    withCache.output(`${name}/with_cache`, "float32", dims);
    const empty = [withoutCache.int64s([0]), withoutCache.int64s([0]), withoutCache.int64s([2])];
    withoutCache.op("Slice", [name, ...empty], { output: `${name}/no_cache` });
    withoutCache.output(`${name}/no_cache`, "float32", dims);
  }
  const chosen = g.ops(
    "If",
    [useCache],
    flat.map((name) => `${name}/selected`),
    {
      attrs: {
        then_branch: graphAttr(withCache.toGraph("use_cache")),
        else_branch: graphAttr(withoutCache.toGraph("no_cache")),
      },
    },
  );
  return declared.map((_, layer) => ({ key: chosen[2 * layer]!, value: chosen[2 * layer + 1]! }));
}
