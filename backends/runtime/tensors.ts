// Builds input tensors for float16 models on Node 23+. onnxruntime-common turns float16 data into a Float16Array
// view whenever that global exists, and the Node binding then reads it as 0 bytes ("not enough space: expected N,
// got 0", microsoft/onnxruntime PR #32323). A uint16 tensor relabelled float16 reaches the binding as plain bits.
import * as ort from "onnxruntime-node";
import type { FloatDtype } from "./model-io.ts";

export function floatTensor(dtype: FloatDtype, data: Float32Array | Uint16Array, dims: readonly number[]): ort.Tensor {
  if (dtype === "float32") return new ort.Tensor("float32", data as Float32Array, dims);
  const tensor = new ort.Tensor("uint16", data as Uint16Array, dims);
  (tensor as { type: string }).type = "float16";
  return tensor;
}
