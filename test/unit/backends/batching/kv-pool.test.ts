// Pooled KV rebuilds: a reused buffer is never one being copied from, and rebuilding into stale buffers gives
// exactly the bytes a fresh allocation gives (padding is zeroed, not left over).
import { describe, expect, it } from "vitest";
import { type KvBatch, type KvShape, mergeKv, selectRows } from "#backends/batching/kv-batch.ts";
import { KvPool } from "#backends/batching/kv-pool.ts";

const shape: KvShape = { numLayers: 1, kvHeads: 2, headDim: 2, dtype: "float32" };

function batch(rows: number, length: number, padLeft: number[], tag: number): KvBatch {
  const make = (kv: number) =>
    Float32Array.from({ length: rows * 2 * length * 2 }, (_, i) => tag * 1000 + kv * 500 + i);
  return { rows, length, padLeft, tensors: [make(0), make(1)] };
}

/** A pool whose buffers are full of garbage, as they are after earlier rebuilds. */
function dirtyPool(): KvPool {
  const pool = new KvPool("float32");
  for (let round = 0; round < 2; round++) {
    const held = round === 0 ? [] : [pool.take(0, 64, []), pool.take(1, 64, [])];
    for (let t = 0; t < 2; t++) pool.take(t, 64, held).fill(-7);
  }
  return pool;
}

describe("kv pool", () => {
  it("hands out the buffer that is not a source, growing it as needed", () => {
    const pool = new KvPool("float32");
    const first = pool.take(0, 8, []);
    const second = pool.take(0, 8, [first]);
    expect(second.buffer).not.toBe(first.buffer);
    const grown = pool.take(0, 100, [second]);
    expect(grown.length).toBe(100);
    expect(grown.buffer).not.toBe(second.buffer);
    expect(pool.take(0, 4, [grown]).buffer).toBe(second.buffer);
  });

  it("refuses when both buffers are sources instead of overwriting one", () => {
    const pool = new KvPool("float32");
    const a = pool.take(0, 4, []);
    const b = pool.take(0, 4, [a]);
    expect(() => pool.take(0, 4, [a, b])).toThrow(/both in use/);
  });

  it("merges and selects into stale buffers exactly as into fresh ones, in chains", () => {
    const pool = dirtyPool();
    const a = batch(2, 5, [0, 2], 1);
    const b = batch(1, 3, [1], 2);
    const merged = mergeKv(shape, a, b, pool);
    expect(merged).toEqual(mergeKv(shape, a, b));
    // The next rebuild reads the pooled batch: it must land in the other buffer and still be exact.
    const selected = selectRows(shape, merged, [2, 0], pool);
    expect(selected.tensors[0]!.buffer).not.toBe(merged.tensors[0]!.buffer);
    expect(selected).toEqual(selectRows(shape, mergeKv(shape, a, b), [2, 0]));
    const again = mergeKv(shape, selected, batch(1, 6, [0], 3), pool);
    expect(again).toEqual(mergeKv(shape, selectRows(shape, mergeKv(shape, a, b), [2, 0]), batch(1, 6, [0], 3)));
  });
});

describe("kv pool release", () => {
  it("starts over with new buffers after release", () => {
    const pool = new KvPool("float16");
    const before = pool.take(0, 8, []);
    pool.release();
    const after = pool.take(0, 8, []);
    expect(after).toBeInstanceOf(Uint16Array);
    expect(after.buffer).not.toBe(before.buffer);
  });
});
