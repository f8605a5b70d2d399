// The quantizer rewrites weight MatMuls and embedding Gathers into quantize_dynamic's standard-op pattern.
import { describe, expect, it } from "vitest";
import {
  GraphBuilder,
  ONNX_DTYPE,
  type TensorProto,
  tensorProto,
  toModel,
} from "#backends/demo-models/onnx-builder.ts";
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

const int8Values = (t: TensorProto) => new Int8Array(t.rawData!.buffer, t.rawData!.byteOffset, t.rawData!.byteLength);

/** The largest magnitude among a weight's quantized values. */
function largestQuantized(model: ReturnType<typeof tinyModel>, weight: string): number {
  const tensor = model.graph!.initializer!.find((t) => t.name === `${weight}_quantized`)!;
  return Math.max(...Array.from(int8Values(tensor), Math.abs));
}

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

  it("stores MatMul weights in 7 bits (no int16 saturation on AVX2 without VNNI) and gathered tables in 8", () => {
    const quantized = quantizeDynamic(tinyModel());
    expect(largestQuantized(quantized, "wa")).toBe(63);
    expect(largestQuantized(quantized, "wb")).toBe(63);
    expect(largestQuantized(quantized, "embed")).toBe(127);
  });

  it("gives a table that is gathered and multiplied (tied embeddings) the MatMul's range", () => {
    const g = new GraphBuilder("tied");
    const ids = g.input("ids", "int64", ["n"]);
    const table = g.weight("table", [4, 4], 1);
    const embedded = g.op("Gather", [table, ids], { output: "embedded" });
    g.op("MatMul", [embedded, table], { output: "logits" });
    g.output("logits", "float32", ["n", 4]);
    const quantized = quantizeDynamic(toModel(g.toGraph("tied"), ""));
    expect(largestQuantized(quantized, "table")).toBe(63);
    expect(quantized.graph!.initializer!.filter((i) => i.name === "table_quantized")).toHaveLength(1);
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
    const values = int8Values(tensors[0]!);
    const scale = new Float32Array(tensors[1]!.rawData!.slice().buffer)[0]!;
    expect(scale).toBeCloseTo(0.01, 6);
    expect(Array.from(values)).toEqual([0, 50, -127, 100, 0]);
    for (const [i, w] of weights.entries()) expect(Math.abs(values[i]! * scale - w)).toBeLessThanOrEqual(scale / 2);
  });

  it("maps the extremes to ±63 in the 7-bit range", () => {
    const weights = Float32Array.of(0, 0.32, -0.63, 0.63);
    const { tensors } = quantizeTensor(tensorProto("w", "float32", [4], weights), 63);
    const values = int8Values(tensors[0]!);
    const scale = new Float32Array(tensors[1]!.rawData!.slice().buffer)[0]!;
    expect(scale).toBeCloseTo(0.01, 6);
    expect(Array.from(values)).toEqual([0, 32, -63, 63]);
  });
});
