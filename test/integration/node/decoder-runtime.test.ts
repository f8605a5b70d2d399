// The decoder runtime against real onnxruntime sessions: KV-cache decoding must equal full recompute, and a
// left-padded batch (including sequences merged mid-flight and batches compacted after one leaves) must equal
// each sequence run alone — for the generated GPT (fp32, grouped KV heads; plain, merged and int8 exports)
// and the real fp16 Llama export.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeKv, selectRows } from "#backends/batching/kv-batch.ts";
import { KvPool } from "#backends/batching/kv-pool.ts";
import { DecoderModel, type ForwardResult } from "#backends/models/decoder.ts";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { argmax } from "#backends/models/sampling.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";
import { describeModel } from "#backends/runtime/model-io.ts";
import { createSession } from "#backends/runtime/session.ts";
import { demoModel, llamaDir, llamaSkipReason } from "./support.ts";

const tolerance = 1e-3;

async function openDecoder(dir: string, onnxFile?: string) {
  const model = await loadModelDir(dir);
  const tokenizer = new ModelTokenizer(model);
  const { session } = await createSession(onnxFile ? join(dir, onnxFile) : model.onnxPath, "cpu", 1);
  const io = describeModel(session, model.kvHints);
  if (io.kind !== "decoder") throw new Error(`${dir} is not a decoder`);
  return { decoder: new DecoderModel(session, io, tokenizer.padId), tokenizer, io };
}

function rowLogits(result: ForwardResult, row: number): Float32Array {
  return result.logits.subarray(row * result.vocab, (row + 1) * result.vocab);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const cases = [
  { name: "demo-gpt (fp32, grouped KV)", dir: () => demoModel("demo-gpt"), file: "onnx/model.onnx" },
  {
    name: "demo-gpt merged decoder (use_cache_branch)",
    dir: () => demoModel("demo-gpt"),
    file: "onnx/decoder_model_merged.onnx",
  },
];

describe.each(cases)("decoder runtime: $name", ({ dir, file }) => {
  runtimeSuite(() => openDecoder(dir(), file));
});

describe.skipIf(!llamaDir)(
  `decoder runtime: tiny-random-llama-fp16 (fp16, genai layout)${llamaDir ? "" : ` — skipped: ${llamaSkipReason}`}`,
  () => {
    runtimeSuite(() => openDecoder(llamaDir!));
  },
);

// Dynamic int8 quantization scales activations per tensor, so a row's numbers depend on what else is in the
// tensor: exact equality is impossible by design; the cache must still agree within quantization noise.
describe("decoder runtime: demo-gpt-int8 (model_quantized.onnx)", () => {
  it("loads the quantized export and KV-cache decoding stays within quantization noise of recompute", async () => {
    const { decoder, tokenizer } = await openDecoder(demoModel("demo-gpt-int8"));
    const tokens = tokenizer.encode("The quick brown fox jumps over the lazy dog", true);
    let cached = await decoder.prefill([tokens.slice(0, 3)]);
    for (let i = 3; i < tokens.length; i++) cached = await decoder.step(cached.kv, [tokens[i]!]);
    const full = await decoder.prefill([tokens]);
    expect(maxDiff(rowLogits(cached, 0), rowLogits(full, 0))).toBeLessThan(0.25);
  });
});

function runtimeSuite(open: () => ReturnType<typeof openDecoder>): void {
  it("KV-cache decoding equals full recompute at every step", async () => {
    const { decoder, tokenizer, io } = await open();
    expect(io.kvHeads).toBeGreaterThan(0);
    const tokens = tokenizer
      .encode("The quick brown fox jumps over the lazy dog near the river bank", true)
      .slice(0, 14);
    let cached = await decoder.prefill([tokens.slice(0, 4)]);
    for (let i = 4; i < tokens.length; i++) {
      cached = await decoder.step(cached.kv, [tokens[i]!]);
      const full = await decoder.prefill([tokens.slice(0, i + 1)]);
      expect(maxDiff(rowLogits(cached, 0), rowLogits(full, 0))).toBeLessThan(tolerance);
    }
    expect(cached.kv.length).toBe(tokens.length);
  });

  it("a left-padded batch decodes exactly like each sequence alone", async () => {
    const { decoder, tokenizer } = await open();
    const prompts = ["Hello", "A much longer prompt with quite a few more tokens in it", "Short one here"].map((t) =>
      tokenizer.encode(t, true),
    );
    let batch = await decoder.prefill(prompts);
    let alone = await Promise.all(prompts.map((p) => decoder.prefill([p])));
    for (let step = 0; step < 4; step++) {
      for (const row of prompts.keys())
        expect(maxDiff(rowLogits(batch, row), rowLogits(alone[row]!, 0))).toBeLessThan(tolerance);
      const next = prompts.map((_, row) => argmax(alone[row]!.logits, 0, alone[row]!.vocab));
      batch = await decoder.step(batch.kv, next);
      alone = await Promise.all(alone.map((a, row) => decoder.step(a.kv, [next[row]!])));
    }
  });

  it("sequences merged mid-flight and a compacted batch still match running alone", async () => {
    const { decoder, tokenizer } = await open();
    const a = tokenizer.encode("Once upon a time there was a long story", true);
    const b = tokenizer.encode("Hi", true);
    let aAlone = await decoder.prefill([a]);
    for (const t of [5, 6, 7]) aAlone = await decoder.step(aAlone.kv, [t]);
    let bAlone = await decoder.prefill([b]);
    const merged = mergeKv(decoder.kvShape, aAlone.kv, bAlone.kv);
    expect(merged.padLeft).toEqual([0, a.length + 3 - b.length]);
    const both = await decoder.step(merged, [8, 9]);
    aAlone = await decoder.step(aAlone.kv, [8]);
    bAlone = await decoder.step(bAlone.kv, [9]);
    expect(maxDiff(rowLogits(both, 0), rowLogits(aAlone, 0))).toBeLessThan(tolerance);
    expect(maxDiff(rowLogits(both, 1), rowLogits(bAlone, 0))).toBeLessThan(tolerance);
    // a leaves: the batch shrinks to b and drops the padding only a needed.
    const onlyB = selectRows(decoder.kvShape, both.kv, [1]);
    expect(onlyB.length).toBe(b.length + 1);
    expect(onlyB.padLeft).toEqual([0]);
    const bBatched = await decoder.step(onlyB, [10]);
    bAlone = await decoder.step(bAlone.kv, [10]);
    expect(maxDiff(rowLogits(bBatched, 0), rowLogits(bAlone, 0))).toBeLessThan(tolerance);
  });

  it("caches rebuilt in reused pool buffers (views of larger, stale arrays) decode exactly like fresh ones", async () => {
    const { decoder, tokenizer } = await open();
    const pool = new KvPool(decoder.kvShape.dtype);
    // Leave garbage in both buffers of every tensor, larger than any cache below.
    const tensors = decoder.kvShape.numLayers * 2;
    for (let t = 0; t < tensors; t++) pool.take(t, 1 << 16, [pool.take(t, 1 << 16, []).fill(3)]).fill(3);
    const a = await decoder.prefill([tokenizer.encode("Once upon a time there was a long story", true)]);
    const b = await decoder.prefill([tokenizer.encode("Hi", true)]);
    const fresh = mergeKv(decoder.kvShape, a.kv, b.kv);
    const pooled = mergeKv(decoder.kvShape, a.kv, b.kv, pool);
    const viaFresh = await decoder.step(fresh, [8, 9]);
    const viaPool = await decoder.step(pooled, [8, 9]);
    expect(maxDiff(viaPool.logits, viaFresh.logits)).toBe(0);
    const shrunkFresh = await decoder.step(selectRows(decoder.kvShape, viaFresh.kv, [1]), [10]);
    const shrunkPool = await decoder.step(selectRows(decoder.kvShape, viaPool.kv, [1], pool), [10]);
    expect(maxDiff(shrunkPool.logits, shrunkFresh.logits)).toBe(0);
  });
}
