// Small helpers for writing ONNX graphs by hand with the onnx-proto protobuf classes.
import onnxProto from "onnx-proto";
import { uniformTensor } from "./prng.ts";

const { onnx } = onnxProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type ModelProto = onnxProto.onnx.IModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

export type DType = "float32" | "uint8" | "int8" | "int32" | "int64" | "bool";
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 };
/** A dimension: a fixed size or a symbolic name such as "batch_size". */
export type Dim = number | string;
type TypedData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;
/** An attribute without its name; built with the helpers below because JS numbers cannot tell int from float. */
export type Attr = Omit<AttributeProto, "name">;

const ATTR = onnx.AttributeProto.AttributeType;
export const intAttr = (i: number): Attr => ({ type: ATTR.INT, i });
export const floatAttr = (f: number): Attr => ({ type: ATTR.FLOAT, f });
export const intsAttr = (ints: number[]): Attr => ({ type: ATTR.INTS, ints });
export const graphAttr = (g: GraphProto): Attr => ({ type: ATTR.GRAPH, g });

export function valueInfo(name: string, dtype: DType, dims: Dim[]): ValueInfoProto {
  const dim = dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: { dim } } } };
}

/** Initializer with little-endian raw bytes (the compact form every exporter uses). */
export function tensorProto(name: string, dtype: DType, dims: number[], data: TypedData): TensorProto {
  const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dataType: ONNX_DTYPE[dtype], dims, rawData };
}

/** Reads a float initializer back, copying when the raw bytes are not 4-byte aligned. */
export function floatData(t: TensorProto): Float32Array {
  const raw = t.rawData;
  if (!raw || t.dataType !== ONNX_DTYPE.float32) throw new Error(`initializer ${t.name} is not raw float32`);
  const bytes = raw.byteOffset % 4 === 0 ? raw : raw.slice();
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

type OpOptions = { attrs?: Record<string, Attr>; output?: string; domain?: string };

/** Accumulates nodes, initializers and graph inputs/outputs; value names are generated unless given. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly seedPrefix: string;
  private readonly constants = new Map<string, string>();
  private counter = 0;

  /** `seedPrefix` keeps the weight streams of different models apart. */
  constructor(seedPrefix: string) {
    this.seedPrefix = seedPrefix;
  }

  input(name: string, dtype: DType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** Declares an already produced value as a graph output. */
  output(name: string, dtype: DType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  op(opType: string, inputs: string[], options: OpOptions = {}): string {
    const [out] = this.ops(opType, inputs, [options.output ?? this.fresh(opType)], options);
    return out!;
  }

  ops(opType: string, inputs: string[], outputs: string[], options: OpOptions = {}): string[] {
    const attribute = Object.entries(options.attrs ?? {}).map(([name, attr]) => ({ name, ...attr }));
    const node: NodeProto = { opType, input: inputs, output: outputs, name: `${opType}_${this.counter++}`, attribute };
    if (options.domain) node.domain = options.domain;
    this.nodes.push(node);
    return outputs;
  }

  initializer(name: string, dtype: DType, dims: number[], data: TypedData): string {
    this.initializers.push(tensorProto(name, dtype, dims, data));
    return name;
  }

  /** Seeded weight with the given mean and standard deviation. */
  weight(name: string, dims: number[], std: number, mean = 0): string {
    const count = dims.reduce((a, b) => a * b, 1);
    return this.initializer(name, "float32", dims, uniformTensor(count, std, `${this.seedPrefix}/${name}`, mean));
  }

  /** Shared int64 constant (shapes, axes, indices), created once per distinct value. */
  int64s(values: number[], scalar = false): string {
    return this.constant(`i64:${scalar}:${values.join(",")}`, () =>
      tensorProto(this.fresh("const_i64"), "int64", scalar ? [] : [values.length], BigInt64Array.from(values, BigInt)),
    );
  }

  float(value: number): string {
    return this.constant(`f32:${value}`, () =>
      tensorProto(this.fresh("const_f32"), "float32", [], Float32Array.of(value)),
    );
  }

  toGraph(name: string): GraphProto {
    return {
      name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }

  private constant(key: string, make: () => TensorProto): string {
    const existing = this.constants.get(key);
    if (existing) return existing;
    const tensor = make();
    this.initializers.push(tensor);
    this.constants.set(key, tensor.name!);
    return tensor.name!;
  }

  private fresh(hint: string): string {
    return `/${hint}_${this.counter++}`;
  }
}

/** IR 8 with opset 17 (LayerNormalization); every op used here is in the default domain. */
export function toModel(graph: GraphProto, docString: string): ModelProto {
  return {
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    producerName: "switchyard-demo-models",
    producerVersion: "1",
    docString,
    graph,
  };
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}
