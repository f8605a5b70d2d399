// Assembles the demo-gpt and demo-gpt-int8 directories: configs, tokenizer and the fp32 / int8 ONNX graphs.
import { buildDecoderModel } from "./decoder-graph.ts";
import { buildDecoderTokenizer } from "./decoder-tokenizer.ts";
import { jsonBytes, type ModelFiles } from "./model-dir.ts";
import { encodeModel } from "./onnx-builder.ts";
import { quantizeDynamic } from "./quantize.ts";
import type { DecoderSpec } from "./specs.ts";

/** Carries both GPT-2 and Llama-style field names so either kind of reader finds what it looks for. */
export function decoderConfig(spec: DecoderSpec, ids: { bos: number; eos: number; pad: number }) {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: spec.vocabSize,
    n_positions: spec.maxPositions,
    max_position_embeddings: spec.maxPositions,
    n_embd: spec.hiddenSize,
    hidden_size: spec.hiddenSize,
    n_layer: spec.numLayers,
    num_hidden_layers: spec.numLayers,
    n_head: spec.numHeads,
    num_attention_heads: spec.numHeads,
    num_key_value_heads: spec.numKvHeads,
    head_dim: spec.headDim,
    n_inner: spec.intermediateSize,
    intermediate_size: spec.intermediateSize,
    activation_function: "silu",
    layer_norm_epsilon: spec.layerNormEps,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    use_cache: true,
    torch_dtype: "float32",
  };
}

export function buildDecoderFiles(spec: DecoderSpec): { fp32: ModelFiles; int8: ModelFiles } {
  const tokenizer = buildDecoderTokenizer(spec.vocabSize);
  if (tokenizer.vocabSize !== spec.vocabSize) throw new Error(`tokenizer has ${tokenizer.vocabSize} tokens`);
  const { endOfText, imEnd } = tokenizer.ids;
  const generationConfig = {
    bos_token_id: endOfText,
    eos_token_id: [imEnd, endOfText],
    pad_token_id: endOfText,
    do_sample: true,
    temperature: 0.8,
    top_p: 0.95,
  };
  const common: ModelFiles = new Map([
    ["config.json", jsonBytes(decoderConfig(spec, { bos: endOfText, eos: imEnd, pad: endOfText }))],
    ["generation_config.json", jsonBytes(generationConfig)],
    ...Object.entries(tokenizer.files).map(([name, value]): [string, Uint8Array] => [name, jsonBytes(value)]),
  ]);
  const model = buildDecoderModel(spec);
  const fp32 = new Map(common)
    .set("onnx/model.onnx", encodeModel(model))
    .set("onnx/decoder_model_merged.onnx", encodeModel(buildDecoderModel(spec, { mergedCacheBranch: true })));
  const int8 = new Map(common).set("onnx/model_quantized.onnx", encodeModel(quantizeDynamic(model)));
  return { fp32, int8 };
}
