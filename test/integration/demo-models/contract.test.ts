// The generated model directories keep the contract the model node loads: files, config fields, I/O names, dtypes, shapes.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { DEMO_DECODER, DEMO_ENCODER } from "#backends/demo-models/specs.ts";

type Config = Record<string, unknown>;
const readJson = async (dir: string, file: string) => JSON.parse(await readFile(join(dir, file), "utf8")) as Config;
const kv = DEMO_DECODER.numKvHeads;
const headDim = DEMO_DECODER.headDim;

/** name → [dtype, shape] as onnxruntime reports them (symbolic dims by name). */
function signature(metadata: readonly ort.InferenceSession.ValueMetadata[]): Record<string, [string, unknown[]]> {
  return Object.fromEntries(metadata.map((m) => [m.name, m.isTensor ? [m.type, [...m.shape]] : ["non-tensor", []]]));
}

const decoderCases = [
  { name: "demo-gpt", onnx: "onnx/model.onnx" },
  { name: "demo-gpt-int8", onnx: "onnx/model_quantized.onnx" },
];
const encoderCases = [
  { name: "demo-embed", onnx: "onnx/model.onnx" },
  { name: "demo-embed-int8", onnx: "onnx/model_quantized.onnx" },
];

describe.each(decoderCases)("$name decoder contract", ({ name, onnx }) => {
  const dir = join(DEFAULT_MODELS_DIR, name);

  it("has Optimum's files and a config whose sizes match the tokenizer and graph", async () => {
    const config = await readJson(dir, "config.json");
    expect(config).toMatchObject({
      model_type: "gpt2",
      vocab_size: DEMO_DECODER.vocabSize,
      max_position_embeddings: 512,
      n_positions: 512,
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
    });
    const tokenizerJson = await readJson(dir, "tokenizer.json");
    const tokenizerConfig = await readJson(dir, "tokenizer_config.json");
    const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    expect(tokenizer.get_vocab(true).size).toBe(config.vocab_size);
    expect(tokenizer.token_to_id(tokenizerConfig.eos_token as string)).toBe(config.eos_token_id);
    expect(tokenizer.token_to_id(tokenizerConfig.bos_token as string)).toBe(config.bos_token_id);
    expect(tokenizerConfig.chat_template).toContain("<|im_start|>");
    const generation = await readJson(dir, "generation_config.json");
    expect(generation.eos_token_id).toContain(config.eos_token_id);
    expect(await readJson(dir, "special_tokens_map.json")).toMatchObject({ eos_token: "<|im_end|>" });
  });

  it("loads with the Optimum KV-cache inputs and outputs", async () => {
    const session = await ort.InferenceSession.create(join(dir, onnx));
    const past = ["batch_size", kv, "past_sequence_length", headDim];
    const present = ["batch_size", kv, "total_sequence_length", headDim];
    const inputs: Record<string, [string, unknown[]]> = {
      input_ids: ["int64", ["batch_size", "sequence_length"]],
      attention_mask: ["int64", ["batch_size", "total_sequence_length"]],
      position_ids: ["int64", ["batch_size", "sequence_length"]],
    };
    const outputs: Record<string, [string, unknown[]]> = {
      logits: ["float32", ["batch_size", "sequence_length", DEMO_DECODER.vocabSize]],
    };
    for (let layer = 0; layer < DEMO_DECODER.numLayers; layer++) {
      for (const kind of ["key", "value"]) {
        inputs[`past_key_values.${layer}.${kind}`] = ["float32", past];
        outputs[`present.${layer}.${kind}`] = ["float32", present];
      }
    }
    expect(signature(session.inputMetadata)).toEqual(inputs);
    expect(signature(session.outputMetadata)).toEqual(outputs);
    await session.release();
  });
});

describe.each(encoderCases)("$name encoder contract", ({ name, onnx }) => {
  const dir = join(DEFAULT_MODELS_DIR, name);

  it("has a BERT config matching its tokenizer", async () => {
    const config = await readJson(dir, "config.json");
    expect(config).toMatchObject({
      model_type: "bert",
      hidden_size: DEMO_ENCODER.hiddenSize,
      num_hidden_layers: DEMO_ENCODER.numLayers,
      num_attention_heads: DEMO_ENCODER.numHeads,
      max_position_embeddings: 512,
    });
    const tokenizer = new Tokenizer(
      await readJson(dir, "tokenizer.json"),
      await readJson(dir, "tokenizer_config.json"),
    );
    const vocabIds = [...tokenizer.get_vocab(true).values()];
    expect(Math.max(...vocabIds) + 1).toBe(config.vocab_size);
    expect(tokenizer.token_to_id("[PAD]")).toBe(config.pad_token_id);
    await readJson(dir, "special_tokens_map.json");
  });

  it("loads with input_ids / attention_mask / token_type_ids → last_hidden_state", async () => {
    const session = await ort.InferenceSession.create(join(dir, onnx));
    const dims = ["batch_size", "sequence_length"];
    expect(signature(session.inputMetadata)).toEqual({
      input_ids: ["int64", dims],
      attention_mask: ["int64", dims],
      token_type_ids: ["int64", dims],
    });
    expect(signature(session.outputMetadata)).toEqual({
      last_hidden_state: ["float32", [...dims, DEMO_ENCODER.hiddenSize]],
    });
    await session.release();
  });
});
