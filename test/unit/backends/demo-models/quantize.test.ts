// The quantizer rewrites weight MatMuls and embedding Gathers into quantize_dynamic's standard-op pattern.
import { describe, expect, it } from "vitest";
import { GraphBuilder, ONNX_DTYPE, tensorProto, toModel } from "#backends/demo-models/onnx-builder.ts";
import { quantizeDynamic, quantizeTensor } from "#backends/demo-models/quantize.ts";

/** ids → embedding → two projections of the same activation, plus an activation×activation MatMul. */
function tinyModel() {
  const g = new GraphBuilder("tiny");
  const ids = g.input("ids", "int64", ["n"]);
  const embedded = g.op("Gather", [g.weight("embed", [10, 4], 1), ids], { output: "embedded" });
  const a = g.op("MatMul", [embedded, g.weight("wa", [4, 4], 1)]);
  const b = g.op("MatMul", [embedded, g.weight("wb", [4, 4], 1)]);
  g.op("MatMul", [a, g.op("Transpose", [b])], { output: "scores" });
  g.output("scores", "float32", ["n", "n"]);
  return toModel(g.toGraph("tiny"), "");
}

const opTypes = (model: ReturnType<typeof tinyModel>) => model.graph!.node!.map((n) => n.opType);

describe("quantizeDynamic", () => {
  it("replaces weight MatMuls, quantizing a shared activation once and leaving activation MatMuls alone", () => {
    const quantized = quantizeDynamic(tinyModel());
    const ops = opTypes(quantized);
    expect(ops.filter((op) => op === "MatMulInteger")).toHaveLength(2);
    expect(ops.filter((op) => op === "DynamicQuantizeLinear")).toHaveLength(1);
    expect(ops.filter((op) => op === "MatMul")).toHaveLength(1);
    expect(ops.filter((op) => op === "DequantizeLinear")).toHaveLength(1);
    const integer = quantized.graph!.node!.find((n) => n.opType === "MatMulInteger")!;
    expect(integer.input).toEqual(["embedded_quantized", "wa_quantized", "embedded_zero_point", "wa_zero_point"]);
  });

  it("drops the float weights and stores int8 weights with float scales", () => {
    const initializers = quantizeDynamic(tinyModel()).graph!.initializer!;
    const byName = new Map(initializers.map((t) => [t.name, t]));
    for (const weight of ["embed", "wa", "wb"]) {
      expect(byName.has(weight)).toBe(false);
      expect(byName.get(`${weight}_quantized`)!.dataType).toBe(ONNX_DTYPE.int8);
      expect(byName.get(`${weight}_scale`)!.dataType).toBe(ONNX_DTYPE.float32);
      expect(byName.get(`${weight}_zero_point`)!.dataType).toBe(ONNX_DTYPE.int8);
    }
  });

  it("can leave embeddings in float", () => {
    const ops = opTypes(quantizeDynamic(tinyModel(), { embeddings: false }));
    expect(ops).not.toContain("DequantizeLinear");
    expect(ops[0]).toBe("Gather");
  });

  it("does not mutate the float model", () => {
    const model = tinyModel();
    const before = opTypes(model);
    quantizeDynamic(model);
    expect(opTypes(model)).toEqual(before);
  });
});

describe("quantizeTensor", () => {
  it("is symmetric: zero stays zero, the extremes map to ±127, error within half a step", () => {
    const weights = Float32Array.of(0, 0.5, -1.27, 1.0, 0.003);
    const { tensors } = quantizeTensor(tensorProto("w", "float32", [5], weights));
    const values = new Int8Array(tensors[0]!.rawData!.buffer, tensors[0]!.rawData!.byteOffset, 5);
    const scale = new Float32Array(tensors[1]!.rawData!.slice().buffer)[0]!;
    expect(scale).toBeCloseTo(0.01, 6);
    expect(Array.from(values)).toEqual([0, 50, -127, 100, 0]);
    for (const [i, w] of weights.entries()) expect(Math.abs(values[i]! * scale - w)).toBeLessThanOrEqual(scale / 2);
  });
});
