// The step scheduler with a fake decoder whose "model" continues every sequence with last token + 1 and checks,
// at every step, that each row's KV still belongs to that row — so merging and compaction mix-ups show up.
import { describe, expect, it } from "vitest";
import {
  type BatcherLimits,
  ContinuousBatcher,
  type SequenceRequest,
  type StepReport,
} from "#backends/batching/continuous-batcher.ts";
import type { KvBatch, KvShape } from "#backends/batching/kv-batch.ts";
import type { ForwardResult } from "#backends/models/decoder.ts";

const vocab = 1000;
const kvShape: KvShape = { numLayers: 1, kvHeads: 1, headDim: 1, dtype: "float32" };

class CountingDecoder {
  readonly kvShape = kvShape;
  prefills: number[] = [];
  steps: number[] = [];
  failNext = false;
  /** Also check whole rows: padding all zero, real positions one consecutive run (prompts must be runs too). */
  wholeRows = false;

  async prefill(prompts: readonly (readonly number[])[]): Promise<ForwardResult> {
    this.prefills.push(prompts.length);
    const length = Math.max(...prompts.map((p) => p.length));
    const data = new Float32Array(prompts.length * length);
    for (const [r, p] of prompts.entries()) data.set(p, r * length + length - p.length);
    return this.#result(
      { rows: prompts.length, length, padLeft: prompts.map((p) => length - p.length), tensors: [data, data] },
      prompts.map((p) => p.at(-1)!),
    );
  }

  async step(kv: KvBatch, tokens: readonly number[]): Promise<ForwardResult> {
    if (this.failNext) throw new Error("onnxruntime exploded");
    this.steps.push(kv.rows);
    const length = kv.length + 1;
    const data = new Float32Array(kv.rows * length);
    if (this.wholeRows) checkWholeRows(kv);
    tokens.forEach((token, r) => {
      const previous = kv.tensors[0]![r * kv.length + kv.length - 1]!;
      if (token !== (previous + 1) % vocab)
        throw new Error(`row ${r} was fed ${token} after ${previous}: rows got mixed up`);
      data.set(kv.tensors[0]!.subarray(r * kv.length, (r + 1) * kv.length), r * length);
      data[r * length + kv.length] = token;
    });
    return this.#result({ rows: kv.rows, length, padLeft: [...kv.padLeft], tensors: [data, data] }, tokens);
  }

  async #result(kv: KvBatch, last: readonly number[]): Promise<ForwardResult> {
    await Promise.resolve();
    const logits = new Float32Array(kv.rows * vocab);
    for (const [r, t] of last.entries()) logits[r * vocab + ((t + 1) % vocab)] = 1;
    return { logits, vocab, kv };
  }
}

function checkWholeRows(kv: KvBatch): void {
  for (let r = 0; r < kv.rows; r++) {
    const row = Array.from(kv.tensors[0]!.subarray(r * kv.length, (r + 1) * kv.length));
    const pad = kv.padLeft[r]!;
    if (row.slice(0, pad).some((v) => v !== 0)) throw new Error(`row ${r} has stale values in its padding`);
    for (let i = pad + 1; i < kv.length; i++)
      if (row[i] !== row[i - 1]! + 1) throw new Error(`row ${r} holds ${row.join(",")}: its cache was overwritten`);
  }
}

const greedy = { temperature: 0, topP: 1, topK: 0 };
const request = (id: number, prompt: number[], maxNewTokens: number, eosIds: number[] = []): SequenceRequest => ({
  id,
  promptIds: prompt,
  maxNewTokens,
  sampling: greedy,
  seed: id,
  eosIds,
});

/** A "model" whose every row's logits are the same fixed table, whatever came before: only sampling decides. */
class FixedLogitsDecoder {
  readonly kvShape = kvShape;
  readonly #table: Record<number, number>;

  constructor(table: Record<number, number>) {
    this.#table = table;
  }

  async prefill(prompts: readonly (readonly number[])[]): Promise<ForwardResult> {
    const length = Math.max(...prompts.map((p) => p.length));
    const data = new Float32Array(prompts.length * length);
    return this.#result({
      rows: prompts.length,
      length,
      padLeft: prompts.map((p) => length - p.length),
      tensors: [data, data],
    });
  }

  async step(kv: KvBatch): Promise<ForwardResult> {
    const length = kv.length + 1;
    const data = new Float32Array(kv.rows * length);
    return this.#result({ rows: kv.rows, length, padLeft: [...kv.padLeft], tensors: [data, data] });
  }

  async #result(kv: KvBatch): Promise<ForwardResult> {
    const logits = new Float32Array(kv.rows * vocab);
    for (let r = 0; r < kv.rows; r++)
      for (const [token, logit] of Object.entries(this.#table)) logits[r * vocab + Number(token)] = logit;
    return { logits, vocab, kv };
  }
}

function harness<Model extends CountingDecoder | FixedLogitsDecoder = CountingDecoder>(
  limits: Partial<BatcherLimits> = {},
  model: Model = new CountingDecoder() as Model,
) {
  const reports: StepReport[] = [];
  const tokens = new Map<number, number[]>();
  const finished = new Map<number, string>();
  let idle: () => void = () => {};
  const batcher = new ContinuousBatcher(
    model,
    { maxRunningSequences: 8, maxBatchTokens: 10_000, contextLength: 100, ...limits },
    (report) => {
      reports.push(report);
      for (const [id, t] of report.tokens) tokens.set(id, [...(tokens.get(id) ?? []), t]);
      for (const [id, reason] of report.finished) finished.set(id, reason);
      if (report.waiting === 0 && report.running === 0) idle();
    },
  );
  const drained = () => new Promise<void>((resolve) => (idle = resolve));
  return { model, batcher, reports, tokens, finished, drained };
}

describe("logit_bias and penalties", () => {
  // Token 7 leads token 8 by 0.1; every other token is 3 behind.
  const run = async (adjust: SequenceRequest["adjust"], seed = 1) => {
    const h = harness({}, new FixedLogitsDecoder({ 7: 3, 8: 2.9 }));
    const done = h.drained();
    h.batcher.add({ ...request(1, [1], 6), seed, ...(adjust && { adjust }) });
    await done;
    return h.tokens.get(1);
  };

  it("leaves a sequence without adjustments to the model's own choice", async () => {
    expect(await run(undefined)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it("adds logit_bias to its tokens at every step", async () => {
    expect(await run({ bias: [[9, 5]], presence: 0, frequency: 0 })).toEqual([9, 9, 9, 9, 9, 9]);
    expect(await run({ bias: [[7, -100]], presence: 0, frequency: 0 })).toEqual([8, 8, 8, 8, 8, 8]);
  });

  it("lowers a generated token by the frequency penalty once per time it was generated", async () => {
    // 7 (3 > 2.9); then 7 is at 2.5 → 8; then 7 at 2.5 > 8 at 2.4 → 7; then 7 at 2.0 < 8 at 2.4 → 8; …
    expect(await run({ bias: [], presence: 0, frequency: 0.5 })).toEqual([7, 8, 7, 8, 7, 8]);
  });

  it("lowers a generated token by the presence penalty once, however often it was generated", async () => {
    // 7; then 7 at 2.8 < 8 at 2.9 → 8; then both are down 0.2 once: 7 at 2.8 > 8 at 2.7 → 7 from then on.
    expect(await run({ bias: [], presence: 0.2, frequency: 0 })).toEqual([7, 8, 7, 7, 7, 7]);
  });
});

describe("continuous batcher", () => {
  it("decodes several sequences in shared steps, each with its own continuation and length", async () => {
    const h = harness();
    const done = h.drained();
    h.batcher.add(request(1, [10, 11], 3));
    h.batcher.add(request(2, [50], 5));
    h.batcher.add(request(3, [100, 101, 102], 1));
    await done;
    expect(h.tokens.get(1)).toEqual([12, 13, 14]);
    expect(h.tokens.get(2)).toEqual([51, 52, 53, 54, 55]);
    expect(h.tokens.get(3)).toEqual([103]);
    expect([...h.finished.values()]).toEqual(["length", "length", "length"]);
    expect(h.model.prefills).toEqual([3]);
    expect(h.model.steps).toEqual([2, 2, 1, 1]);
  });

  it("admits waiting sequences into the running batch at step boundaries", async () => {
    const h = harness({ maxRunningSequences: 2 });
    const done = h.drained();
    h.batcher.add(request(1, [1], 6));
    h.batcher.add(request(2, [200, 201, 202, 203], 2));
    h.batcher.add(request(3, [300], 3));
    await done;
    expect(h.tokens.get(3)).toEqual([301, 302, 303]);
    const admitted = h.reports.flatMap((r, i) => r.admitted.map((id) => [id, i]));
    expect(admitted.map(([id]) => id)).toEqual([1, 2, 3]);
    // 3 joined while 1 was still running, after 2 left.
    expect(h.reports.some((r) => r.admitted.includes(3) && r.decodeRows === 2)).toBe(true);
    expect(Math.max(...h.reports.map((r) => r.running))).toBeLessThanOrEqual(2);
  });

  it("ends a sequence at EOS with reason stop, reporting the EOS token", async () => {
    const h = harness();
    const done = h.drained();
    h.batcher.add(request(1, [7], 50, [10]));
    await done;
    expect(h.tokens.get(1)).toEqual([8, 9, 10]);
    expect(h.finished.get(1)).toBe("stop");
  });

  it("ends a sequence when the context window is full", async () => {
    const h = harness({ contextLength: 6 });
    const done = h.drained();
    h.batcher.add(request(1, [1, 2, 3, 4], 50));
    await done;
    expect(h.tokens.get(1)).toEqual([5, 6]);
    expect(h.finished.get(1)).toBe("length");
  });

  it("cancels waiting and running sequences at the next step boundary", async () => {
    const h = harness({ maxRunningSequences: 1 });
    const done = h.drained();
    h.batcher.add(request(1, [1], 500));
    h.batcher.add(request(2, [2], 500));
    while (!h.tokens.get(1)?.length) await new Promise((resolve) => setImmediate(resolve));
    h.batcher.cancel(2);
    h.batcher.cancel(1);
    await done;
    expect(h.finished.get(1)).toBe("cancelled");
    expect(h.finished.get(2)).toBe("cancelled");
    expect(h.tokens.get(1)!.length).toBeLessThan(500);
    expect(h.tokens.has(2)).toBe(false);
    expect(h.batcher.running + h.batcher.waiting).toBe(0);
  });

  it("holds back admission when the padded batch would exceed maxBatchTokens", async () => {
    const h = harness({ maxBatchTokens: 12 });
    const done = h.drained();
    h.batcher.add(request(1, [1, 2, 3, 4, 5], 4));
    h.batcher.add(request(2, [9, 10, 11, 12, 13, 14, 15], 2));
    await done;
    // 2 rows × 7 columns > 12: the second waits for the first to finish.
    expect(h.model.prefills).toEqual([1, 1]);
    expect(h.tokens.get(2)).toEqual([16, 17]);
  });

  it("keeps every row's cache its own through long chains of joins, leaves and cancels (pooled rebuilds)", async () => {
    const h = harness({ maxRunningSequences: 5 });
    h.model.wholeRows = true;
    const done = h.drained();
    const lengths = new Map<number, number>();
    // Sequences arrive while others run, finish at scattered steps and some are cancelled mid-flight, so the
    // cache is rebuilt from pooled buffers again and again, each rebuild reading the previous one.
    for (let id = 1; id <= 30; id++) {
      lengths.set(id, 1 + ((id * 7) % 11));
      // Prompts of 1–13 tokens: some are longer than the running cache, so merges shift the old rows right.
      const prompt = Array.from({ length: 1 + (id % 5) * 3 }, (_, i) => id * 30 + i);
      h.batcher.add(request(id, prompt, lengths.get(id)!));
      if (id % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (id % 10 === 0) h.batcher.cancel(id - 4);
    }
    await done;
    for (const [id, length] of lengths) {
      if (h.finished.get(id) === "cancelled") continue;
      const last = id * 30 + (id % 5) * 3;
      expect(h.tokens.get(id)).toEqual(Array.from({ length }, (_, i) => last + 1 + i));
      expect(h.finished.get(id)).toBe("length");
    }
    expect([...h.finished.values()].filter((r) => r === "cancelled").length).toBeGreaterThan(0);
  });

  it("fails every sequence in the batch when the model throws, then keeps serving", async () => {
    const h = harness();
    let done = h.drained();
    h.batcher.add(request(1, [1], 5));
    h.model.failNext = true;
    await done;
    expect(h.finished.get(1)).toBe("error");
    expect(h.reports.at(-1)!.error).toContain("exploded");
    h.model.failNext = false;
    done = h.drained();
    h.batcher.add(request(2, [5], 2));
    await done;
    expect(h.tokens.get(2)).toEqual([6, 7]);
  });
});
