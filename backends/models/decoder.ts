// Runs a KV-cache decoder over a left-padded batch: `prefill` turns prompts into a fresh KV batch and the logits
// of each row's last token; `step` feeds one token per row on top of an existing KV batch. Everything about
// padding (attention mask, per-row position ids) is derived here from the KV batch's per-row padding.
import * as ort from "onnxruntime-node";
import { emptyKv, type KvArray, type KvBatch, type KvShape } from "#backends/batching/kv-batch.ts";
import { halfToFloat } from "#backends/runtime/fp16.ts";
import type { DecoderIo } from "#backends/runtime/model-io.ts";
import { floatTensor } from "#backends/runtime/tensors.ts";

export type ForwardResult = {
  /** [rows, vocab] logits of each row's last position, always float32. */
  logits: Float32Array;
  vocab: number;
  kv: KvBatch;
};

type SessionLike = Pick<ort.InferenceSession, "run">;

export class DecoderModel {
  readonly kvShape: KvShape;
  readonly #session: SessionLike;
  readonly #io: DecoderIo;
  readonly #padId: number;

  constructor(session: SessionLike, io: DecoderIo, padId: number) {
    this.#session = session;
    this.#io = io;
    this.#padId = padId;
    this.kvShape = { numLayers: io.numLayers, kvHeads: io.kvHeads, headDim: io.headDim, dtype: io.kvDtype };
  }

  async prefill(prompts: readonly (readonly number[])[]): Promise<ForwardResult> {
    const rows = prompts.length;
    const width = Math.max(...prompts.map((p) => p.length));
    const ids = new BigInt64Array(rows * width).fill(BigInt(this.#padId));
    const mask = new BigInt64Array(rows * width);
    const positions = new BigInt64Array(rows * width);
    prompts.forEach((prompt, r) => {
      const pad = width - prompt.length;
      for (let i = 0; i < prompt.length; i++) {
        ids[r * width + pad + i] = BigInt(prompt[i]!);
        mask[r * width + pad + i] = 1n;
        positions[r * width + pad + i] = BigInt(i);
      }
    });
    const past = emptyKv(this.kvShape, rows);
    const result = await this.#run(ids, mask, positions, past, width);
    result.kv.padLeft = prompts.map((p) => width - p.length);
    return result;
  }

  async step(kv: KvBatch, tokens: readonly number[]): Promise<ForwardResult> {
    const rows = kv.rows;
    const total = kv.length + 1;
    const ids = BigInt64Array.from(tokens, (t) => BigInt(t));
    const mask = new BigInt64Array(rows * total);
    const positions = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      const pad = kv.padLeft[r]!;
      mask.fill(1n, r * total + pad, (r + 1) * total);
      positions[r] = BigInt(total - 1 - pad);
    }
    const result = await this.#run(ids, mask, positions, kv, 1);
    result.kv.padLeft = [...kv.padLeft];
    return result;
  }

  async #run(
    ids: BigInt64Array,
    mask: BigInt64Array,
    positions: BigInt64Array,
    past: KvBatch,
    width: number,
  ): Promise<ForwardResult> {
    const io = this.#io;
    const rows = past.rows;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", ids, [rows, width]),
      attention_mask: new ort.Tensor("int64", mask, [rows, past.length + width]),
    };
    if (io.hasPositionIds) feeds["position_ids"] = new ort.Tensor("int64", positions, [rows, width]);
    if (io.hasUseCacheBranch) feeds["use_cache_branch"] = new ort.Tensor("bool", [past.length > 0], [1]);
    const kvDims = [rows, io.kvHeads, past.length, io.headDim];
    io.past.forEach((names, layer) => {
      feeds[names.key] = floatTensor(io.kvDtype, past.tensors[2 * layer]!, kvDims);
      feeds[names.value] = floatTensor(io.kvDtype, past.tensors[2 * layer + 1]!, kvDims);
    });
    const out = await this.#session.run(feeds);
    const tensors: KvArray[] = [];
    for (const names of io.present) tensors.push(kvData(out[names.key]!), kvData(out[names.value]!));
    const logits = out["logits"]!;
    const vocab = logits.dims[2]!;
    return {
      logits: lastPositionLogits(logits, rows, logits.dims[1]!, vocab),
      vocab,
      kv: { rows, length: past.length + width, padLeft: [], tensors },
    };
  }
}

/** fp16 outputs arrive as Float16Array; the cache keeps their raw bits (no conversion, fed back as is). */
function kvData(tensor: ort.Tensor): KvArray {
  const data = tensor.data as Float32Array | Uint16Array;
  if (tensor.type === "float16") return new Uint16Array(data.buffer, data.byteOffset, data.length);
  return data as Float32Array;
}

function lastPositionLogits(tensor: ort.Tensor, rows: number, width: number, vocab: number): Float32Array {
  // A decode step's float32 logits already are [rows, vocab]: no copy needed.
  if (tensor.type === "float32" && width === 1) return tensor.data as Float32Array;
  const out = new Float32Array(rows * vocab);
  if (tensor.type === "float16") {
    const data = tensor.data as Uint16Array;
    const bits = new Uint16Array(data.buffer, data.byteOffset, data.length);
    for (let r = 0; r < rows; r++) halfToFloat(bits, (r * width + width - 1) * vocab, vocab, out, r * vocab);
  } else {
    const data = tensor.data as Float32Array;
    for (let r = 0; r < rows; r++)
      out.set(data.subarray((r * width + width - 1) * vocab, (r * width + width) * vocab), r * vocab);
  }
  return out;
}
