// Assembles the demo-embed and demo-embed-int8 directories: config, tokenizer and the fp32 / int8 ONNX graphs.

import { buildEncoderModel } from "./encoder-graph.ts";
import type { EncoderTokenizer } from "./encoder-tokenizer.ts";
import { jsonBytes, type ModelFiles } from "./model-dir.ts";
import { encodeModel } from "./onnx-builder.ts";
import { quantizeDynamic } from "./quantize.ts";
import type { EncoderSpec } from "./specs.ts";

export function encoderConfig(spec: EncoderSpec, padTokenId: number) {
  return {
    architectures: ["BertModel"],
    model_type: "bert",
    vocab_size: spec.vocabSize,
    hidden_size: spec.hiddenSize,
    num_hidden_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    intermediate_size: spec.intermediateSize,
    hidden_act: "gelu",
    max_position_embeddings: spec.maxPositions,
    type_vocab_size: spec.typeVocabSize,
    layer_norm_eps: spec.layerNormEps,
    position_embedding_type: "absolute",
    pad_token_id: padTokenId,
    torch_dtype: "float32",
  };
}

export function buildEncoderFiles(
  shape: Omit<EncoderSpec, "vocabSize">,
  tokenizer: EncoderTokenizer,
): { fp32: ModelFiles; int8: ModelFiles } {
  const spec: EncoderSpec = { ...shape, vocabSize: tokenizer.vocabSize };
  const common: ModelFiles = new Map([
    ["config.json", jsonBytes(encoderConfig(spec, tokenizer.padTokenId))],
    ...tokenizer.files,
  ]);
  const model = buildEncoderModel(spec);
  const fp32 = new Map(common).set("onnx/model.onnx", encodeModel(model));
  const int8 = new Map(common).set("onnx/model_quantized.onnx", encodeModel(quantizeDynamic(model)));
  return { fp32, int8 };
}
