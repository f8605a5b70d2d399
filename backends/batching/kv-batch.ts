// The KV cache of a running decoder batch, left-padded: every row's real tokens end at the same column, so one
// decode step appends one column for all rows. Merging new sequences pads the shorter side on the left; removing
// finished rows compacts the batch and trims the padding that no remaining row needs.
import type { FloatDtype } from "#backends/runtime/model-io.ts";
import type { KvPool } from "./kv-pool.ts";

export type KvArray = Float32Array | Uint16Array;

export type KvShape = { numLayers: number; kvHeads: number; headDim: number; dtype: FloatDtype };

export type KvBatch = {
  rows: number;
  length: number;
  /** Masked positions at the start of each row. */
  padLeft: number[];
  /** [rows, kvHeads, length, headDim] per tensor: layer l's key at 2l, its value at 2l + 1. */
  tensors: KvArray[];
};

export function allocKv(dtype: FloatDtype, size: number): KvArray {
  return dtype === "float16" ? new Uint16Array(size) : new Float32Array(size);
}

export function emptyKv(shape: KvShape, rows: number): KvBatch {
  const tensors = Array.from({ length: shape.numLayers * 2 }, () => allocKv(shape.dtype, 0));
  return { rows, length: 0, padLeft: new Array(rows).fill(0), tensors };
}

/** Real (unpadded) tokens held for a row. */
export function realLength(kv: KvBatch, row: number): number {
  return kv.length - kv.padLeft[row]!;
}

/** A destination array for tensor t: from the pool when given (stale contents), else freshly allocated. */
function destination(shape: KvShape, pool: KvPool | undefined, t: number, size: number, sources: KvArray[]): KvArray {
  return pool ? pool.take(t, size, sources) : allocKv(shape.dtype, size);
}

/** Appends b's rows after a's; the shorter batch is left-padded with zeros (masked) to the longer length. */
export function mergeKv(shape: KvShape, a: KvBatch, b: KvBatch, pool?: KvPool): KvBatch {
  if (a.rows === 0) return b;
  if (b.rows === 0) return a;
  const length = Math.max(a.length, b.length);
  const rows = a.rows + b.rows;
  const rowSize = shape.kvHeads * length * shape.headDim;
  const tensors = a.tensors.map((_, t) => destination(shape, pool, t, rows * rowSize, [a.tensors[t]!, b.tensors[t]!]));
  const shiftA = length - a.length;
  const shiftB = length - b.length;
  for (let t = 0; t < tensors.length; t++) {
    for (let r = 0; r < a.rows; r++) copyRow(shape, a.tensors[t]!, r, a.length, 0, tensors[t]!, r, length, shiftA);
    for (let r = 0; r < b.rows; r++)
      copyRow(shape, b.tensors[t]!, r, b.length, 0, tensors[t]!, a.rows + r, length, shiftB);
  }
  const padLeft = [...a.padLeft.map((p) => p + shiftA), ...b.padLeft.map((p) => p + shiftB)];
  return { rows, length, padLeft, tensors };
}

/** Keeps the given rows in order and drops leading columns that are padding in every kept row. */
export function selectRows(shape: KvShape, kv: KvBatch, keep: readonly number[], pool?: KvPool): KvBatch {
  if (keep.length === 0) return emptyKv(shape, 0);
  const trim = Math.min(...keep.map((r) => kv.padLeft[r]!));
  if (trim === 0 && keep.length === kv.rows && keep.every((r, i) => r === i)) return kv;
  const length = kv.length - trim;
  const rowSize = shape.kvHeads * length * shape.headDim;
  const tensors = kv.tensors.map((src, t) => {
    const dst = destination(shape, pool, t, keep.length * rowSize, [src]);
    for (const [dstRow, srcRow] of keep.entries()) copyRow(shape, src, srcRow, kv.length, trim, dst, dstRow, length, 0);
    return dst;
  });
  return { rows: keep.length, length, padLeft: keep.map((r) => kv.padLeft[r]! - trim), tensors };
}

/**
 * Copies one row's positions [skip, srcLength) for every head into dst starting at column `dstStart`, and zeroes
 * the columns before it (pooled destinations hold stale values).
 */
function copyRow(
  shape: KvShape,
  src: KvArray,
  srcRow: number,
  srcLength: number,
  skip: number,
  dst: KvArray,
  dstRow: number,
  dstLength: number,
  dstStart: number,
): void {
  const { kvHeads, headDim } = shape;
  const span = (srcLength - skip) * headDim;
  const pad = dstStart * headDim;
  for (let h = 0; h < kvHeads; h++) {
    const from = ((srcRow * kvHeads + h) * srcLength + skip) * headDim;
    const to = ((dstRow * kvHeads + h) * dstLength + dstStart) * headDim;
    if (pad) dst.fill(0, to - pad, to);
    if (span) dst.set(src.subarray(from, from + span), to);
  }
}
