// Reusable destination buffers for rebuilding a running batch's KV cache (rows joining or leaving). A rebuilt
// cache lives only until the next decode step replaces it with onnxruntime's output, so two buffers per tensor,
// used in turn, let every rebuild skip allocating, zero-filling and later collecting hundreds of kilobytes.
import type { FloatDtype } from "#backends/runtime/model-io.ts";
import { allocKv, type KvArray } from "./kv-batch.ts";

export class KvPool {
  readonly #dtype: FloatDtype;
  /** Per tensor index, two buffers that grow as needed; views of them are handed out. */
  readonly #buffers: [KvArray, KvArray][] = [];

  constructor(dtype: FloatDtype) {
    this.#dtype = dtype;
  }

  /**
   * A view of `size` elements for tensor `t` whose memory is not shared with any of `sources` (the arrays being
   * copied from). Its contents are stale: the caller writes every element. Earlier views of the same buffer
   * become invalid, which is fine because each rebuild makes the previous cache garbage.
   */
  take(t: number, size: number, sources: readonly KvArray[]): KvArray {
    const pair = this.#buffers[t] ?? [allocKv(this.#dtype, 0), allocKv(this.#dtype, 0)];
    this.#buffers[t] = pair;
    const busy = (b: KvArray) => sources.some((s) => s.buffer === b.buffer);
    const slot = busy(pair[0]) ? 1 : 0;
    if (busy(pair[slot]!)) throw new Error("KV pool buffers are both in use as sources");
    if (pair[slot]!.length < size)
      pair[slot] = allocKv(this.#dtype, Math.max(size, Math.ceil(pair[slot]!.length * 1.5)));
    return pair[slot]!.subarray(0, size);
  }

  /** Lets the buffers be collected (an idle model should not hold a busy batch's worth of cache memory). */
  release(): void {
    this.#buffers.length = 0;
  }
}
