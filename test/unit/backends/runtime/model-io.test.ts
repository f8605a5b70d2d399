// Telling decoders from encoders by their ONNX inputs/outputs, and reading KV layout from metadata or hints.
import { describe, expect, it } from "vitest";
import { halfToFloat } from "#backends/runtime/fp16.ts";
import { describeModel, UnsupportedModelError } from "#backends/runtime/model-io.ts";

type Meta = {
  name: string;
  isTensor: true;
  type: "float32" | "float16" | "int64" | "bool";
  shape: (number | string)[];
};
const t = (name: string, type: Meta["type"], shape: (number | string)[] = []): Meta => ({
  name,
  isTensor: true,
  type,
  shape,
});
const session = (inputs: Meta[], outputs: Meta[]) => ({ inputMetadata: inputs, outputMetadata: outputs });

const decoderInputs = (kvShape: (number | string)[], type: Meta["type"] = "float32") => [
  t("input_ids", "int64"),
  t("attention_mask", "int64"),
  ...[0, 1].flatMap((l) => [
    t(`past_key_values.${l}.key`, type, kvShape),
    t(`past_key_values.${l}.value`, type, kvShape),
  ]),
];
const decoderOutputs = (type: Meta["type"] = "float32") => [
  t("logits", type),
  ...[0, 1].flatMap((l) => [t(`present.${l}.key`, type), t(`present.${l}.value`, type)]),
];

describe("model io", () => {
  it("describes a decoder from static KV shapes", () => {
    const io = describeModel(
      session(
        [...decoderInputs(["b", 2, "p", 16], "float16"), t("use_cache_branch", "bool")],
        decoderOutputs("float16"),
      ),
      {},
    );
    expect(io).toMatchObject({
      kind: "decoder",
      numLayers: 2,
      kvHeads: 2,
      headDim: 16,
      kvDtype: "float16",
      hasPositionIds: false,
      hasUseCacheBranch: true,
    });
  });

  it("falls back to config hints when KV dims are symbolic", () => {
    const io = describeModel(session(decoderInputs(["b", "h", "p", "d"]), decoderOutputs()), {
      kvHeads: 4,
      headDim: 8,
    });
    expect(io).toMatchObject({ kind: "decoder", kvHeads: 4, headDim: 8 });
    expect(() => describeModel(session(decoderInputs(["b", "h", "p", "d"]), decoderOutputs()), {})).toThrow(
      UnsupportedModelError,
    );
  });

  it("describes an encoder, with or without token_type_ids", () => {
    const io = describeModel(
      session(
        [t("input_ids", "int64"), t("attention_mask", "int64"), t("token_type_ids", "int64")],
        [t("last_hidden_state", "float32")],
      ),
      {},
    );
    expect(io).toEqual({ kind: "encoder", hasTokenTypeIds: true, output: "last_hidden_state", outputDtype: "float32" });
  });

  it("refuses decoders without a KV cache and unrecognised graphs", () => {
    expect(() => describeModel(session([t("input_ids", "int64")], [t("logits", "float32")]), {})).toThrow(
      /past_key_values/,
    );
    expect(() => describeModel(session([t("input_ids", "int64")], [t("scores", "float32")]), {})).toThrow(/no logits/);
  });
});

describe("fp16", () => {
  it("converts half bits to floats, including subnormals and infinities", () => {
    const bits = Uint16Array.from([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x0000, 0x3555]);
    const out = new Float32Array(bits.length);
    halfToFloat(bits, 0, bits.length, out);
    expect(Array.from(out.subarray(0, 6))).toEqual([1, -2, 2 ** -24, 65504, Number.POSITIVE_INFINITY, 0]);
    expect(out[6]).toBeCloseTo(1 / 3, 3);
  });
});
