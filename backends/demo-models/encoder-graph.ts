// BERT-style encoder graph (post-norm, GELU) with the inputs and output of an Optimum feature-extraction export.
import { paddingMask, selfAttention } from "./attention.ts";
import { feedForward, gelu, layerNorm } from "./layers.ts";
import { GraphBuilder, intAttr, type ModelProto, toModel } from "./onnx-builder.ts";
import type { EncoderSpec } from "./specs.ts";

/** Pooling is left to the model node, so the graph ends at last_hidden_state [batch, seq, hidden]. */
export function buildEncoderModel(spec: EncoderSpec): ModelProto {
  if (spec.hiddenSize % spec.numHeads !== 0) throw new Error("hiddenSize must be a multiple of numHeads");
  const g = new GraphBuilder(spec.seed);
  const dims = ["batch_size", "sequence_length"];
  const inputIds = g.input("input_ids", "int64", dims);
  const attentionMask = g.input("attention_mask", "int64", dims);
  const tokenTypeIds = g.input("token_type_ids", "int64", dims);

  const { hiddenSize: h } = spec;
  const words = g.op("Gather", [g.weight("embeddings.word_embeddings.weight", [spec.vocabSize, h], 0.5), inputIds]);
  const types = g.op("Gather", [
    g.weight("embeddings.token_type_embeddings.weight", [spec.typeVocabSize, h], 0.5),
    tokenTypeIds,
  ]);
  const positions = g.op("Gather", [
    g.weight("embeddings.position_embeddings.weight", [spec.maxPositions, h], 0.5),
    positionIds(g, inputIds),
  ]);
  const summed = g.op("Add", [g.op("Add", [words, types]), positions]);
  let hidden = layerNorm(g, summed, "embeddings.LayerNorm", h, spec.layerNormEps);

  const allowed = paddingMask(g, attentionMask);
  const shape = { hiddenSize: h, numHeads: spec.numHeads, numKvHeads: spec.numHeads, headDim: h / spec.numHeads };
  for (let layer = 0; layer < spec.numLayers; layer++) {
    const prefix = `encoder.layer.${layer}`;
    const attended = selfAttention(g, hidden, `${prefix}.attention`, shape, allowed);
    hidden = layerNorm(g, g.op("Add", [hidden, attended]), `${prefix}.attention.LayerNorm`, h, spec.layerNormEps);
    const ff = feedForward(g, hidden, `${prefix}.mlp`, h, spec.intermediateSize, gelu);
    const last = layer === spec.numLayers - 1 ? "last_hidden_state" : undefined;
    hidden = layerNorm(g, g.op("Add", [hidden, ff]), `${prefix}.output.LayerNorm`, h, spec.layerNormEps, last);
  }
  g.output("last_hidden_state", "float32", ["batch_size", "sequence_length", h]);
  const doc = "Switchyard demo BERT-style encoder: seeded random weights, Optimum feature-extraction I/O.";
  return toModel(g.toGraph("demo-embed"), doc);
}

/** Absolute positions 0..S-1 as [1, S]; BERT pads on the right, so real tokens keep their positions. */
function positionIds(g: GraphBuilder, inputIds: string): string {
  const seqLength = g.op("Shape", [inputIds], { attrs: { start: intAttr(1), end: intAttr(2) } });
  const range = g.op("Range", [g.int64s([0], true), g.op("Squeeze", [seqLength, g.int64s([0])]), g.int64s([1], true)]);
  return g.op("Unsqueeze", [range, g.int64s([0])]);
}
