// The generated decoder's KV cache, causal mask and padding behave like a real Optimum export (real onnxruntime).
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type DecoderRows,
  decoderFeeds,
  emptyPast,
  type Feeds,
  leftPad,
  pastFromPresent,
} from "#backends/demo-models/feeds.ts";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { DEMO_DECODER } from "#backends/demo-models/specs.ts";

const { vocabSize, numLayers } = DEMO_DECODER;
const PAD = 701;
const PROMPT = [17, 250, 3, 480, 99, 612, 42, 7, 300, 5];
const SHORT = [260, 61, 333, 12];

let fp32: ort.InferenceSession;
let int8: ort.InferenceSession;
let merged: ort.InferenceSession;

beforeAll(async () => {
  const dir = join(DEFAULT_MODELS_DIR, "demo-gpt");
  fp32 = await ort.InferenceSession.create(join(dir, "onnx/model.onnx"));
  merged = await ort.InferenceSession.create(join(dir, "onnx/decoder_model_merged.onnx"));
  int8 = await ort.InferenceSession.create(join(DEFAULT_MODELS_DIR, "demo-gpt-int8/onnx/model_quantized.onnx"));
});

/** Logits of row `row`, position `pos` of a [batch, seq, vocab] output. */
function logitsAt(outputs: ort.InferenceSession.ReturnType, row: number, pos: number): Float32Array {
  const [, seq] = outputs.logits!.dims as number[];
  const data = outputs.logits!.data as Float32Array;
  const start = (row * seq! + pos) * vocabSize;
  return data.subarray(start, start + vocabSize);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const alone = (tokens: number[]): DecoderRows => leftPad([tokens], PAD);
const prefill = (session: ort.InferenceSession, rows: DecoderRows, extra: Feeds = {}) =>
  session.run({ ...decoderFeeds(rows, emptyPast(DEMO_DECODER, rows.inputIds.length)), ...extra });

/** Prefills `prefix` tokens, then feeds the rest one by one through the cache; returns each step's last logits. */
async function decodeWithCache(
  session: ort.InferenceSession,
  tokens: number[],
  prefix: number,
): Promise<Float32Array[]> {
  let outputs = await prefill(session, alone(tokens.slice(0, prefix)));
  const perPosition = Array.from({ length: prefix }, (_, pos) => logitsAt(outputs, 0, pos));
  for (let pos = prefix; pos < tokens.length; pos++) {
    const step = { inputIds: [[tokens[pos]!]], attentionMask: [Array(pos + 1).fill(1)], positionIds: [[pos]] };
    outputs = await session.run(decoderFeeds(step, pastFromPresent(outputs, numLayers)));
    expect(outputs["present.0.key"]!.dims).toEqual([1, DEMO_DECODER.numKvHeads, pos + 1, DEMO_DECODER.headDim]);
    perPosition.push(logitsAt(outputs, 0, 0));
  }
  return perPosition;
}

describe("demo-gpt decoder", () => {
  it("gives the same logits decoding through the KV cache as recomputing the whole sequence", async () => {
    const full = await prefill(fp32, alone(PROMPT));
    const cached = await decodeWithCache(fp32, PROMPT, 3);
    for (let pos = 0; pos < PROMPT.length; pos++) {
      expect(maxAbsDiff(cached[pos]!, logitsAt(full, 0, pos))).toBeLessThan(1e-3);
    }
  });

  it("is causal: a later token does not change earlier positions' logits", async () => {
    const longer = await prefill(fp32, alone(PROMPT));
    const shorter = await prefill(fp32, alone(PROMPT.slice(0, 6)));
    expect(maxAbsDiff(logitsAt(longer, 0, 5), logitsAt(shorter, 0, 5))).toBeLessThan(1e-4);
    expect(maxAbsDiff(logitsAt(longer, 0, 6), logitsAt(shorter, 0, 5))).toBeGreaterThan(1e-2);
  });

  it("gives a left-padded row the logits of the same sequence run alone, at prefill and at the next step", async () => {
    const batch = leftPad([PROMPT, SHORT], PAD);
    const padding = PROMPT.length - SHORT.length;
    const together = await prefill(fp32, batch);
    const single = await prefill(fp32, alone(SHORT));
    for (let pos = 0; pos < SHORT.length; pos++) {
      expect(maxAbsDiff(logitsAt(together, 1, padding + pos), logitsAt(single, 0, pos))).toBeLessThan(1e-3);
    }

    const next = [11, 22];
    const batchStep = {
      inputIds: next.map((t) => [t]),
      attentionMask: batch.attentionMask.map((row) => [...row, 1]),
      positionIds: [[PROMPT.length], [SHORT.length]],
    };
    const togetherStep = await fp32.run(decoderFeeds(batchStep, pastFromPresent(together, numLayers)));
    const singleStep = await fp32.run(
      decoderFeeds(
        { inputIds: [[22]], attentionMask: [Array(SHORT.length + 1).fill(1)], positionIds: [[SHORT.length]] },
        pastFromPresent(single, numLayers),
      ),
    );
    expect(maxAbsDiff(logitsAt(togetherStep, 1, 0), logitsAt(singleStep, 0, 0))).toBeLessThan(1e-3);
  });

  it("int8 decoder decodes through its cache consistently and stays close to fp32", async () => {
    const full = await prefill(int8, alone(PROMPT));
    const cached = await decodeWithCache(int8, PROMPT, 5);
    // Dynamic activation scales differ between a 1-token step and the full sequence, so allow int8-sized noise.
    for (let pos = 0; pos < PROMPT.length; pos++) {
      expect(maxAbsDiff(cached[pos]!, logitsAt(full, 0, pos))).toBeLessThan(0.25);
    }
    const reference = await prefill(fp32, alone(PROMPT));
    let agree = 0;
    for (let pos = 0; pos < PROMPT.length; pos++) {
      agree += argmax(logitsAt(full, 0, pos)) === argmax(logitsAt(reference, 0, pos)) ? 1 : 0;
    }
    expect(agree).toBeGreaterThanOrEqual(PROMPT.length - 2);
  });

  it("merged variant matches model.onnx on both use_cache_branch values", async () => {
    const branch = (value: boolean) => ({ use_cache_branch: new ort.Tensor("bool", [value], [1]) });
    const reference = await prefill(fp32, alone(PROMPT));
    const noCache = await prefill(merged, alone(PROMPT), branch(false));
    expect(maxAbsDiff(logitsAt(noCache, 0, 9), logitsAt(reference, 0, 9))).toBeLessThan(1e-5);

    const head = await prefill(merged, alone(PROMPT.slice(0, 9)), branch(false));
    const step = { inputIds: [[PROMPT[9]!]], attentionMask: [Array(10).fill(1)], positionIds: [[9]] };
    const withCache = await merged.run({ ...decoderFeeds(step, pastFromPresent(head, numLayers)), ...branch(true) });
    expect(maxAbsDiff(logitsAt(withCache, 0, 0), logitsAt(reference, 0, 9))).toBeLessThan(1e-3);
  });
});

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
