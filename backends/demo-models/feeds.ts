// onnxruntime feeds for driving the generated models from tests and the quantization bench.
import * as ort from "onnxruntime-node";

export type Feeds = Record<string, ort.Tensor>;
export type KvLayout = { numLayers: number; numKvHeads: number; headDim: number };
/** One decoder call's token inputs; rows already padded to equal length. */
export type DecoderRows = { inputIds: number[][]; attentionMask: number[][]; positionIds: number[][] };

export function int64Tensor(rows: number[][]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]?.length ?? 0]);
}

/** Left padding as decoders batch prompts: padding has mask 0, real tokens get positions 0..n-1. */
export function leftPad(sequences: number[][], padId: number): DecoderRows {
  const width = Math.max(...sequences.map((s) => s.length));
  const pad = (s: number[], value: number) => [...Array<number>(width - s.length).fill(value), ...s];
  return {
    inputIds: sequences.map((s) => pad(s, padId)),
    attentionMask: sequences.map((s) =>
      pad(
        s.map(() => 1),
        0,
      ),
    ),
    positionIds: sequences.map((s) =>
      pad(
        s.map((_, i) => i),
        0,
      ),
    ),
  };
}

export function emptyPast(layout: KvLayout, batch: number): Feeds {
  const feeds: Feeds = {};
  for (let layer = 0; layer < layout.numLayers; layer++) {
    for (const kind of ["key", "value"]) {
      const dims = [batch, layout.numKvHeads, 0, layout.headDim];
      feeds[`past_key_values.${layer}.${kind}`] = new ort.Tensor("float32", new Float32Array(0), dims);
    }
  }
  return feeds;
}

/** present.{i}.* outputs of one call become past_key_values.{i}.* inputs of the next. */
export function pastFromPresent(outputs: ort.InferenceSession.ReturnType, numLayers: number): Feeds {
  const feeds: Feeds = {};
  for (let layer = 0; layer < numLayers; layer++) {
    for (const kind of ["key", "value"])
      feeds[`past_key_values.${layer}.${kind}`] = outputs[`present.${layer}.${kind}`]!;
  }
  return feeds;
}

export function decoderFeeds(rows: DecoderRows, past: Feeds): Feeds {
  return {
    input_ids: int64Tensor(rows.inputIds),
    attention_mask: int64Tensor(rows.attentionMask),
    position_ids: int64Tensor(rows.positionIds),
    ...past,
  };
}

/** Right padding as BERT-style encoders batch texts; token_type_ids all 0 (single segment). */
export function encoderFeeds(sequences: number[][], padId: number): Feeds {
  const width = Math.max(...sequences.map((s) => s.length));
  const pad = (s: number[], value: number) => [...s, ...Array<number>(width - s.length).fill(value)];
  return {
    input_ids: int64Tensor(sequences.map((s) => pad(s, padId))),
    attention_mask: int64Tensor(
      sequences.map((s) =>
        pad(
          s.map(() => 1),
          0,
        ),
      ),
    ),
    token_type_ids: int64Tensor(
      sequences.map((s) =>
        pad(
          s.map(() => 0),
          0,
        ),
      ),
    ),
  };
}
