// Runs an encoder over a right-padded batch and turns last_hidden_state into sentence embeddings: mean pooling
// over the attention mask, then L2 normalisation (the sentence-transformers recipe for MiniLM-style models).
import * as ort from "onnxruntime-node";
import { halfToFloat } from "#backends/runtime/fp16.ts";
import type { EncoderIo } from "#backends/runtime/model-io.ts";

export type EncoderBatch = {
  /** [rows, cols] token ids, right-padded. */
  ids: BigInt64Array;
  /** Real tokens per row. */
  lengths: number[];
  cols: number;
};

type SessionLike = Pick<ort.InferenceSession, "run">;

export class EncoderModel {
  readonly #session: SessionLike;
  readonly #io: EncoderIo;

  constructor(session: SessionLike, io: EncoderIo) {
    this.#session = session;
    this.#io = io;
  }

  /** Returns [rows, hidden] unit-length embeddings and the hidden size. */
  async embed(batch: EncoderBatch): Promise<{ embeddings: Float32Array; dim: number }> {
    const rows = batch.lengths.length;
    const { cols } = batch;
    const mask = new BigInt64Array(rows * cols);
    for (const [r, length] of batch.lengths.entries()) mask.fill(1n, r * cols, r * cols + length);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", batch.ids, [rows, cols]),
      attention_mask: new ort.Tensor("int64", mask, [rows, cols]),
    };
    if (this.#io.hasTokenTypeIds)
      feeds["token_type_ids"] = new ort.Tensor("int64", new BigInt64Array(rows * cols), [rows, cols]);
    const out = await this.#session.run(feeds);
    const hidden = out[this.#io.output]!;
    const dim = hidden.dims[2]!;
    return { embeddings: meanPoolNormalised(hiddenAsFloat(hidden), batch.lengths, cols, dim), dim };
  }
}

function hiddenAsFloat(tensor: ort.Tensor): Float32Array {
  if (tensor.type !== "float16") return tensor.data as Float32Array;
  const data = tensor.data as Uint16Array;
  const out = new Float32Array(data.length);
  halfToFloat(new Uint16Array(data.buffer, data.byteOffset, data.length), 0, data.length, out);
  return out;
}

/** Right padding means each row's real tokens are its first `length` positions. */
export function meanPoolNormalised(hidden: Float32Array, lengths: number[], cols: number, dim: number): Float32Array {
  const out = new Float32Array(lengths.length * dim);
  lengths.forEach((length, r) => {
    const row = out.subarray(r * dim, (r + 1) * dim);
    for (let t = 0; t < length; t++) {
      const base = (r * cols + t) * dim;
      for (let d = 0; d < dim; d++) row[d]! += hidden[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      row[d]! /= Math.max(length, 1);
      norm += row[d]! * row[d]!;
    }
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dim; d++) row[d]! *= scale;
  });
  return out;
}
