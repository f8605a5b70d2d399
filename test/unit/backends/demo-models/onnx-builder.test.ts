// The graph builder produces well-formed protobuf: typed I/O, raw little-endian initializers, shared constants.
import { describe, expect, it } from "vitest";
import {
  decodeModel,
  encodeModel,
  floatData,
  GraphBuilder,
  intsAttr,
  ONNX_DTYPE,
  toModel,
} from "#backends/demo-models/onnx-builder.ts";

describe("GraphBuilder", () => {
  it("round-trips a graph through protobuf encoding with names, attributes and dims intact", () => {
    const g = new GraphBuilder("test");
    const x = g.input("x", "float32", ["batch", 4]);
    const w = g.weight("w", [4, 3], 0.5);
    const y = g.op("Transpose", [g.op("MatMul", [x, w])], { attrs: { perm: intsAttr([1, 0]) }, output: "y" });
    g.output(y, "float32", [3, "batch"]);
    const decoded = decodeModel(encodeModel(toModel(g.toGraph("test"), "doc")));
    const graph = decoded.graph!;
    expect(graph.input![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual([
      "batch",
      4,
    ]);
    expect(graph.node!.map((n) => n.opType)).toEqual(["MatMul", "Transpose"]);
    expect(graph.node![1]!.attribute![0]!.ints!.map(Number)).toEqual([1, 0]);
    expect(graph.initializer![0]!.dims!.map(Number)).toEqual([4, 3]);
    expect(floatData(graph.initializer![0]!)).toEqual(floatData(g.initializers[0]!));
    expect(Number(decoded.opsetImport![0]!.version)).toBe(17);
  });

  it("creates each distinct constant once", () => {
    const g = new GraphBuilder("test");
    expect(g.int64s([0, 1])).toBe(g.int64s([0, 1]));
    expect(g.int64s([0], true)).not.toBe(g.int64s([0]));
    expect(g.float(0.5)).toBe(g.float(0.5));
    expect(g.initializers.map((t) => t.dataType)).toEqual([
      ONNX_DTYPE.int64,
      ONNX_DTYPE.int64,
      ONNX_DTYPE.int64,
      ONNX_DTYPE.float32,
    ]);
    expect(g.initializers.find((t) => t.name === g.int64s([0], true))!.dims).toEqual([]);
  });

  it("seeds weights by model and tensor name", () => {
    const a = new GraphBuilder("model-a");
    const b = new GraphBuilder("model-b");
    a.weight("w", [8], 1);
    b.weight("w", [8], 1);
    expect(floatData(a.initializers[0]!)).not.toEqual(floatData(b.initializers[0]!));
  });

  it("reads back misaligned raw float data", () => {
    const bytes = new Uint8Array(9);
    bytes.set(new Uint8Array(Float32Array.of(1.5, -2).buffer), 1);
    const tensor = { name: "t", dataType: ONNX_DTYPE.float32, dims: [2], rawData: bytes.subarray(1) };
    expect(Array.from(floatData(tensor))).toEqual([1.5, -2]);
  });
});
