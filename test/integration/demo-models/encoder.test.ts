// The generated encoder ignores padding and its int8 twin stays close to fp32 while being smaller (real onnxruntime).
import { stat } from "node:fs/promises";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { encoderFeeds } from "#backends/demo-models/feeds.ts";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { DEMO_ENCODER } from "#backends/demo-models/specs.ts";

const FP32 = join(DEFAULT_MODELS_DIR, "demo-embed/onnx/model.onnx");
const INT8 = join(DEFAULT_MODELS_DIR, "demo-embed-int8/onnx/model_quantized.onnx");
const HIDDEN = DEMO_ENCODER.hiddenSize;
const PAD = 0;
/** [CLS] … [SEP]-shaped id rows of different lengths; ids stay below every vocabulary the generator can use. */
const ROWS = [
  [2, 45, 160, 77, 301, 12, 3],
  [2, 88, 3],
  [2, 140, 150, 160, 170, 180, 190, 200, 210, 3],
  [2, 66, 99, 3],
];

let fp32: ort.InferenceSession;
let int8: ort.InferenceSession;

beforeAll(async () => {
  [fp32, int8] = await Promise.all([ort.InferenceSession.create(FP32), ort.InferenceSession.create(INT8)]);
});

async function hidden(session: ort.InferenceSession, rows: number[][]): Promise<{ data: Float32Array; seq: number }> {
  const out = (await session.run(encoderFeeds(rows, PAD))).last_hidden_state!;
  expect(out.dims).toEqual([rows.length, Math.max(...rows.map((r) => r.length)), HIDDEN]);
  return { data: out.data as Float32Array, seq: out.dims[1]! };
}

/** Mean over the row's real tokens, as the model node pools. */
function meanPooled(result: { data: Float32Array; seq: number }, row: number, length: number): Float32Array {
  const pooled = new Float32Array(HIDDEN);
  for (let t = 0; t < length; t++) {
    const base = (row * result.seq + t) * HIDDEN;
    for (let h = 0; h < HIDDEN; h++) pooled[h]! += result.data[base + h]! / length;
  }
  return pooled;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

describe("demo-embed encoder", () => {
  it("padding in a batch leaves real tokens' hidden states unchanged", async () => {
    const batch = await hidden(fp32, ROWS);
    for (const [row, tokens] of ROWS.entries()) {
      const single = await hidden(fp32, [tokens]);
      let maxDiff = 0;
      for (let i = 0; i < tokens.length * HIDDEN; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(batch.data[row * batch.seq * HIDDEN + i]! - single.data[i]!));
      }
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it("gives different sentences different embeddings", async () => {
    const batch = await hidden(fp32, ROWS);
    expect(cosine(meanPooled(batch, 0, ROWS[0]!.length), meanPooled(batch, 1, ROWS[1]!.length))).toBeLessThan(0.95);
  });

  it("int8 embeddings stay close to fp32 (cosine similarity) and the int8 file is much smaller", async () => {
    const [reference, quantized] = await Promise.all([hidden(fp32, ROWS), hidden(int8, ROWS)]);
    const similarities = ROWS.map((tokens, row) =>
      cosine(meanPooled(reference, row, tokens.length), meanPooled(quantized, row, tokens.length)),
    );
    console.log(`demo-embed int8 vs fp32 cosine similarity: min ${Math.min(...similarities).toFixed(5)}`);
    for (const similarity of similarities) expect(similarity).toBeGreaterThan(0.99);
    const [fp32Bytes, int8Bytes] = await Promise.all([stat(FP32), stat(INT8)]).then((s) => s.map((x) => x.size));
    expect(int8Bytes! * 3).toBeLessThan(fp32Bytes!);
  });
});
