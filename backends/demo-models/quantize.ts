// Dynamic int8 quantization pass with the standard-op pattern of onnxruntime's quantize_dynamic.
import {
  type Attr,
  floatData,
  type GraphProto,
  intAttr,
  type ModelProto,
  type NodeProto,
  ONNX_DTYPE,
  type TensorProto,
  tensorProto,
} from "./onnx-builder.ts";

export type QuantizeOptions = {
  /** Also store Gather (embedding) tables as int8 + DequantizeLinear, as quantize_dynamic does by default. */
  embeddings?: boolean;
};

type Quantized = { values: string; scale: string; zeroPoint: string };

/**
 * MatMul(A, W) with a float weight W becomes
 *   DynamicQuantizeLinear(A) → MatMulInteger(A_q uint8, W_q int8, A_zp, W_zp) → Cast(float) → Mul(A_scale · W_scale).
 * Weights are symmetric per-tensor int8 (zero point 0); each activation is quantized once however many MatMuls read it.
 *
 * MatMul weights use 7 bits (±63), quantize_dynamic's `reduce_range`. On x86 CPUs with AVX2 but no VNNI,
 * onnxruntime multiplies uint8 × int8 with VPMADDUBSW, which adds each pair of products into a saturating int16:
 * 255·127·2 = 64,770 does not fit and is clipped, 255·63·2 = 32,130 does. Measured on an AVX2-only AMD EPYC with
 * full-range weights: decoder logits 0.45–0.68 away from fp32 and embeddings at cosine 0.963. With 7 bits the
 * integer products are exact on every CPU, VNNI or not (onnxruntime's quantization guide names the same saturation
 * and the same remedy). Tables that are only gathered and dequantized keep 8 bits.
 */
export function quantizeDynamic(model: ModelProto, options: QuantizeOptions = { embeddings: true }): ModelProto {
  const graph = model.graph!;
  const floatMatrices = new Map(
    (graph.initializer ?? [])
      .filter((t) => t.dataType === ONNX_DTYPE.float32 && t.dims?.length === 2)
      .map((t) => [t.name!, t]),
  );
  const nodes: NodeProto[] = [];
  const added: TensorProto[] = [];
  const weights = new Map<string, Quantized>();
  const activations = new Map<string, Quantized>();

  // A table both gathered and multiplied (tied embeddings) must take the MatMul's range for both.
  const multiplied = new Set((graph.node ?? []).filter((n) => n.opType === "MatMul").map((n) => n.input?.[1] ?? ""));
  const quantizeWeight = (name: string): Quantized => {
    const cached = weights.get(name);
    if (cached) return cached;
    const quantized = quantizeTensor(floatMatrices.get(name)!, multiplied.has(name) ? matMulRange : fullRange);
    added.push(...quantized.tensors);
    weights.set(name, quantized.names);
    return quantized.names;
  };
  const quantizeActivation = (name: string): Quantized => {
    const cached = activations.get(name);
    if (cached) return cached;
    const names = { values: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` };
    nodes.push(node("DynamicQuantizeLinear", [name], [names.values, names.scale, names.zeroPoint]));
    activations.set(name, names);
    return names;
  };

  for (const original of graph.node ?? []) {
    const [first = "", second = ""] = original.input ?? [];
    const out = original.output?.[0] ?? "";
    if (original.opType === "MatMul" && floatMatrices.has(second)) {
      const a = quantizeActivation(first);
      const w = quantizeWeight(second);
      nodes.push(node("MatMulInteger", [a.values, w.values, a.zeroPoint, w.zeroPoint], [`${out}_int32`]));
      nodes.push(node("Cast", [`${out}_int32`], [`${out}_int32_cast`], { to: intAttr(ONNX_DTYPE.float32) }));
      nodes.push(node("Mul", [a.scale, w.scale], [`${out}_scale_product`]));
      nodes.push(node("Mul", [`${out}_int32_cast`, `${out}_scale_product`], [out]));
    } else if (original.opType === "Gather" && options.embeddings && floatMatrices.has(first)) {
      const w = quantizeWeight(first);
      nodes.push({ ...original, input: [w.values, second], output: [`${out}_quantized`] });
      nodes.push(node("DequantizeLinear", [`${out}_quantized`, w.scale, w.zeroPoint], [out]));
    } else {
      nodes.push(original);
    }
  }

  const referenced = referencedNames(nodes);
  const initializer = [...(graph.initializer ?? []), ...added].filter((t) => referenced.has(t.name!));
  const quantizedGraph: GraphProto = { ...graph, node: nodes, initializer };
  return { ...model, graph: quantizedGraph };
}

/** The largest magnitude a quantized weight may take: 127 (8 bits) or 63 (7 bits, for MatMulInteger). */
export type WeightRange = 127 | 63;
const fullRange: WeightRange = 127;
const matMulRange: WeightRange = 63;

/** Symmetric int8: scale = max|w| / range, so ±max map to ±range and 0 stays exactly 0. */
export function quantizeTensor(
  weight: TensorProto,
  range: WeightRange = fullRange,
): { names: Quantized; tensors: TensorProto[] } {
  const data = floatData(weight);
  let absMax = 0;
  for (const v of data) absMax = Math.max(absMax, Math.abs(v));
  const scale = absMax > 0 ? absMax / range : 1;
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Math.max(-range, Math.min(range, Math.round(data[i]! / scale)));
  const base = weight.name!;
  const names = { values: `${base}_quantized`, scale: `${base}_scale`, zeroPoint: `${base}_zero_point` };
  const dims = (weight.dims ?? []).map(Number);
  const tensors = [
    tensorProto(names.values, "int8", dims, values),
    tensorProto(names.scale, "float32", [], Float32Array.of(scale)),
    tensorProto(names.zeroPoint, "int8", [], Int8Array.of(0)),
  ];
  return { names, tensors };
}

function node(opType: string, input: string[], output: string[], attrs: Record<string, Attr> = {}) {
  const attribute = Object.entries(attrs).map(([name, attr]) => ({ name, ...attr }));
  return { opType, input, output, name: `${output[0]}_${opType}`, attribute } satisfies NodeProto;
}

/** Every value a node reads, including reads from inside If branches (outer-scope references). */
function referencedNames(nodes: NodeProto[]): Set<string> {
  const names = new Set<string>();
  const visit = (list: NodeProto[]) => {
    for (const n of list) {
      for (const input of n.input ?? []) names.add(input);
      for (const attr of n.attribute ?? []) if (attr.g?.node) visit(attr.g.node);
    }
  };
  visit(nodes);
  return names;
}
