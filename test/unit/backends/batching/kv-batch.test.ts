// Left-padded KV batches: merging pads the shorter side on the left, selecting rows compacts and trims padding.
import { describe, expect, it } from "vitest";
import { emptyKv, type KvBatch, type KvShape, mergeKv, realLength, selectRows } from "#backends/batching/kv-batch.ts";

const shape: KvShape = { numLayers: 1, kvHeads: 2, headDim: 2, dtype: "float32" };

/** A batch whose value at (row, head, pos, dim) encodes row, head and position, so copies are checkable. */
function batch(rows: number, length: number, padLeft: number[], tag: number): KvBatch {
  const make = (kv: number) =>
    Float32Array.from({ length: rows * 2 * length * 2 }, (_, i) => {
      const d = i % 2;
      const pos = Math.floor(i / 2) % length;
      const head = Math.floor(i / (2 * length)) % 2;
      const row = Math.floor(i / (4 * length));
      return pos < padLeft[row]! ? 0 : tag * 1000 + kv * 500 + row * 100 + head * 10 + pos + d / 10;
    });
  return { rows, length, padLeft, tensors: [make(0), make(1)] };
}

const at = (kv: KvBatch, t: number, row: number, head: number, pos: number, d = 0) =>
  kv.tensors[t]![((row * shape.kvHeads + head) * kv.length + pos) * shape.headDim + d]!;

describe("kv batch", () => {
  it("merges a shorter batch by left-padding it with masked zeros", () => {
    const a = batch(1, 5, [0], 1);
    const b = batch(2, 3, [0, 1], 2);
    const merged = mergeKv(shape, a, b);
    expect(merged).toMatchObject({ rows: 3, length: 5, padLeft: [0, 2, 3] });
    expect(at(merged, 0, 0, 1, 4, 1)).toBeCloseTo(1000 + 10 + 4 + 0.1);
    // b's row 0 position 0 lands at column 2; its padding columns are zero.
    expect(at(merged, 0, 1, 0, 2)).toBe(2000);
    expect(at(merged, 1, 1, 1, 4)).toBe(2000 + 500 + 10 + 2);
    expect(at(merged, 0, 1, 0, 1)).toBe(0);
    expect(at(merged, 0, 2, 1, 4)).toBe(2000 + 100 + 10 + 2);
    expect(merged.padLeft.map((_, r) => realLength(merged, r))).toEqual([5, 3, 2]);
  });

  it("keeps either side unchanged when the other is empty", () => {
    const a = batch(2, 3, [0, 0], 1);
    expect(mergeKv(shape, emptyKv(shape, 0), a)).toBe(a);
    expect(mergeKv(shape, a, emptyKv(shape, 0))).toBe(a);
  });

  it("selects rows in order and trims the padding no remaining row needs", () => {
    const kv = batch(3, 6, [0, 4, 2], 3);
    const kept = selectRows(shape, kv, [2, 1]);
    expect(kept).toMatchObject({ rows: 2, length: 4, padLeft: [0, 2] });
    expect(at(kept, 0, 0, 1, 0)).toBe(3000 + 200 + 10 + 2);
    expect(at(kept, 1, 1, 0, 3, 1)).toBeCloseTo(3000 + 500 + 100 + 5 + 0.1);
  });

  it("returns the same batch when nothing changes, and an empty one when nothing is kept", () => {
    const kv = batch(2, 4, [0, 1], 4);
    expect(selectRows(shape, kv, [0, 1])).toBe(kv);
    expect(selectRows(shape, kv, [])).toMatchObject({ rows: 0, length: 0 });
  });

  it("copies float16 caches as raw bits", () => {
    const half: KvShape = { ...shape, dtype: "float16" };
    const a: KvBatch = {
      rows: 1,
      length: 1,
      padLeft: [0],
      tensors: [Uint16Array.from([1, 2, 3, 4]), Uint16Array.from([5, 6, 7, 8])],
    };
    const b: KvBatch = {
      rows: 1,
      length: 2,
      padLeft: [0],
      tensors: [new Uint16Array(8).fill(9), new Uint16Array(8).fill(9)],
    };
    const merged = mergeKv(half, a, b);
    expect(merged.tensors[0]).toBeInstanceOf(Uint16Array);
    expect(Array.from(merged.tensors[0]!.subarray(0, 8))).toEqual([0, 0, 1, 2, 0, 0, 3, 4]);
  });
});
