// Transformer building blocks (linear, layer norm, activations, feed-forward) shared by the decoder and encoder graphs.
import { floatAttr, type GraphBuilder, intAttr } from "./onnx-builder.ts";

/** x·W + b with W stored [in, out] as exporters do, so the quantizer sees a plain MatMul on a weight. */
export function linear(g: GraphBuilder, x: string, name: string, inFeatures: number, outFeatures: number): string {
  const weight = g.weight(`${name}.weight`, [inFeatures, outFeatures], 1 / Math.sqrt(inFeatures));
  const bias = g.weight(`${name}.bias`, [outFeatures], 0.02);
  return g.op("Add", [g.op("MatMul", [x, weight]), bias]);
}

export function layerNorm(
  g: GraphBuilder,
  x: string,
  name: string,
  size: number,
  epsilon: number,
  output?: string,
): string {
  const scale = g.weight(`${name}.weight`, [size], 0.05, 1);
  const bias = g.weight(`${name}.bias`, [size], 0.02);
  const attrs = { axis: intAttr(-1), epsilon: floatAttr(epsilon) };
  return g.op("LayerNormalization", [x, scale, bias], output ? { attrs, output } : { attrs });
}

/** Exact (erf) GELU as BERT uses; opset 17 has no Gelu op. */
export function gelu(g: GraphBuilder, x: string): string {
  const erf = g.op("Erf", [g.op("Mul", [x, g.float(Math.SQRT1_2)])]);
  const gate = g.op("Mul", [g.op("Add", [erf, g.float(1)]), g.float(0.5)]);
  return g.op("Mul", [x, gate]);
}

export function silu(g: GraphBuilder, x: string): string {
  return g.op("Mul", [x, g.op("Sigmoid", [x])]);
}

type Activation = (g: GraphBuilder, x: string) => string;

export function feedForward(
  g: GraphBuilder,
  x: string,
  name: string,
  hiddenSize: number,
  intermediateSize: number,
  activation: Activation,
): string {
  const up = activation(g, linear(g, x, `${name}.up_proj`, hiddenSize, intermediateSize));
  return linear(g, up, `${name}.down_proj`, intermediateSize, hiddenSize);
}
