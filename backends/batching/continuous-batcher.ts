// Step-level (continuous) batching for a KV-cache decoder, as in TGI and vLLM: waiting sequences are prefilled
// and merged into the running batch at step boundaries, every step decodes one token for all running rows,
// and finished or cancelled rows leave the batch right away. Runs next to the session (inside the model worker).
import type { ForwardResult } from "#backends/models/decoder.ts";
import { adjustLogits, type LogitAdjustments, penalizes } from "#backends/models/logit-adjustments.ts";
import { type Rng, seededRng } from "#backends/models/prng.ts";
import { type SamplingParams, sampleToken } from "#backends/models/sampling.ts";
import { type TokenLogprob, tokenLogprob } from "#backends/models/token-logprobs.ts";
import { emptyKv, type KvBatch, type KvShape, mergeKv, selectRows } from "./kv-batch.ts";
import { KvPool } from "./kv-pool.ts";

export type SequenceRequest = {
  id: number;
  promptIds: number[];
  maxNewTokens: number;
  sampling: SamplingParams;
  seed: number;
  /** Tokens that end the sequence with finish reason "stop" (empty for ignore_eos). */
  eosIds: number[];
  /** logit_bias and presence/frequency penalties; absent when the request asks for none. */
  adjust?: LogitAdjustments;
  /** Report each token's logprob and this many top alternatives; absent when the request asks for no logprobs. */
  logprobs?: number;
};

export type FinishReason = "stop" | "length" | "cancelled" | "error";

/** What one scheduler iteration did: sent to the HTTP side after every step. */
export type StepReport = {
  admitted: number[];
  /** The logprob comes with the token only for a sequence that asked for logprobs. */
  tokens: [id: number, token: number, logprob?: TokenLogprob][];
  finished: [id: number, reason: FinishReason][];
  prefillRows: number;
  prefillMs: number;
  decodeRows: number;
  decodeMs: number;
  waiting: number;
  running: number;
  error?: string;
};

export type BatcherLimits = { maxRunningSequences: number; maxBatchTokens: number; contextLength: number };

export type DecoderLike = {
  readonly kvShape: KvShape;
  prefill(prompts: readonly (readonly number[])[]): Promise<ForwardResult>;
  step(kv: KvBatch, tokens: readonly number[]): Promise<ForwardResult>;
};

type Running = {
  request: SequenceRequest;
  rng: Rng;
  generated: number;
  nextToken: number;
  done: FinishReason | null;
  /** How often each token was generated, kept only for a sequence with presence or frequency penalties. */
  counts: Map<number, number> | undefined;
};

export class ContinuousBatcher {
  readonly #model: DecoderLike;
  readonly #limits: BatcherLimits;
  readonly #report: (report: StepReport) => void;
  #waiting: SequenceRequest[] = [];
  #running: Running[] = [];
  #kv: KvBatch;
  /**
   * Backs #kv after rows join or leave. Safe because #kv is the only cache that may live in it and every pooled
   * rebuild reads #kv (the pool never hands out a buffer that is being read).
   */
  readonly #pool: KvPool;
  #cancelled = new Set<number>();
  #looping = false;

  constructor(model: DecoderLike, limits: BatcherLimits, report: (report: StepReport) => void) {
    this.#model = model;
    this.#limits = limits;
    this.#report = report;
    this.#kv = emptyKv(model.kvShape, 0);
    this.#pool = new KvPool(model.kvShape.dtype);
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  get running(): number {
    return this.#running.length;
  }

  add(request: SequenceRequest): void {
    this.#waiting.push(request);
    if (this.#looping) return;
    this.#looping = true;
    // Start on the next turn so sequences arriving together are prefilled together.
    setImmediate(() => void this.#loop());
  }

  /** Takes effect at the next step boundary; the sequence is then reported finished with "cancelled". */
  cancel(id: number): void {
    this.#cancelled.add(id);
  }

  async #loop(): Promise<void> {
    try {
      while (this.#waiting.length || this.#running.length) {
        await this.#iteration();
        // Let add/cancel messages in between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#looping = false;
      this.#cancelled.clear();
      this.#pool.release();
    }
  }

  async #iteration(): Promise<void> {
    const report: StepReport = {
      admitted: [],
      tokens: [],
      finished: [],
      prefillRows: 0,
      prefillMs: 0,
      decodeRows: 0,
      decodeMs: 0,
      waiting: 0,
      running: 0,
    };
    this.#dropCancelled(report);
    const admitted = this.#admit();
    try {
      if (admitted.length) await this.#prefill(admitted, report);
      if (this.#running.length) await this.#decode(report);
    } catch (error) {
      report.error = (error as Error).message;
      for (const r of [...this.#running]) report.finished.push([r.request.id, "error"]);
      for (const request of admitted)
        if (!report.finished.some(([id]) => id === request.id)) report.finished.push([request.id, "error"]);
      this.#running = [];
      this.#kv = emptyKv(this.#model.kvShape, 0);
    }
    report.waiting = this.#waiting.length;
    report.running = this.#running.length;
    this.#report(report);
  }

  #dropCancelled(report: StepReport): void {
    if (!this.#cancelled.size) return;
    this.#waiting = this.#waiting.filter((request) => {
      if (!this.#cancelled.has(request.id)) return true;
      report.finished.push([request.id, "cancelled"]);
      return false;
    });
    for (const r of this.#running) if (this.#cancelled.has(r.request.id)) r.done = "cancelled";
    this.#cancelled.clear();
    this.#compact(report);
  }

  /** Takes waiting sequences while the running-sequence cap and the padded token budget allow. */
  #admit(): SequenceRequest[] {
    const taken: SequenceRequest[] = [];
    let length = this.#kv.length;
    while (this.#waiting.length && this.#running.length + taken.length < this.#limits.maxRunningSequences) {
      const next = this.#waiting[0]!;
      const rows = this.#running.length + taken.length + 1;
      const newLength = Math.max(length, next.promptIds.length);
      if (rows > 1 && rows * newLength > this.#limits.maxBatchTokens) break;
      taken.push(this.#waiting.shift()!);
      length = newLength;
    }
    return taken;
  }

  async #prefill(admitted: SequenceRequest[], report: StepReport): Promise<void> {
    const started = performance.now();
    const result = await this.#model.prefill(admitted.map((r) => r.promptIds));
    report.prefillMs = performance.now() - started;
    report.prefillRows = admitted.length;
    const fresh = admitted.map((request, row) => {
      report.admitted.push(request.id);
      const entry: Running = {
        request,
        rng: seededRng(request.seed),
        generated: 0,
        nextToken: -1,
        done: null,
        counts: request.adjust && penalizes(request.adjust) ? new Map() : undefined,
      };
      this.#accept(entry, result, row, report);
      return entry;
    });
    const keep = fresh.flatMap((entry, row) => (entry.done ? [] : [row]));
    // Not pooled: #kv may already live in the pool and must survive until the merge below reads it.
    const kept = selectRows(this.#model.kvShape, result.kv, keep);
    this.#kv = mergeKv(this.#model.kvShape, this.#kv, kept, this.#pool);
    this.#running.push(...keep.map((row) => fresh[row]!));
  }

  async #decode(report: StepReport): Promise<void> {
    const started = performance.now();
    const result = await this.#model.step(
      this.#kv,
      this.#running.map((r) => r.nextToken),
    );
    report.decodeMs = performance.now() - started;
    report.decodeRows = this.#running.length;
    this.#kv = result.kv;
    this.#running.forEach((entry, row) => {
      this.#accept(entry, result, row, report);
    });
    this.#compact(report);
  }

  /** Samples the row's next token and decides whether the sequence ends with it. */
  #accept(entry: Running, result: ForwardResult, row: number, report: StepReport): void {
    const { request, counts } = entry;
    const { logits, vocab } = result;
    const offset = row * vocab;
    // Logprobs are the model's own: taken from the row as it was before logit_bias and penalties changed it.
    const raw = request.logprobs !== undefined && request.adjust ? logits.slice(offset, offset + vocab) : undefined;
    if (request.adjust) adjustLogits(logits, offset, request.adjust, counts);
    const token = sampleToken(logits, offset, vocab, request.sampling, entry.rng);
    counts?.set(token, (counts.get(token) ?? 0) + 1);
    entry.generated++;
    entry.nextToken = token;
    if (request.logprobs === undefined) report.tokens.push([request.id, token]);
    else {
      const logprob = raw
        ? tokenLogprob(raw, 0, vocab, token, request.logprobs)
        : tokenLogprob(logits, offset, vocab, token, request.logprobs);
      report.tokens.push([request.id, token, logprob]);
    }
    if (request.eosIds.includes(token)) entry.done = "stop";
    else if (entry.generated >= request.maxNewTokens) entry.done = "length";
    else if (request.promptIds.length + entry.generated >= this.#limits.contextLength) entry.done = "length";
    if (entry.done && !this.#running.includes(entry)) report.finished.push([request.id, entry.done]);
  }

  /** Removes finished rows from the running batch and its KV cache. */
  #compact(report: StepReport): void {
    const keep: number[] = [];
    this.#running.forEach((entry, row) => {
      if (entry.done) report.finished.push([entry.request.id, entry.done]);
      else keep.push(row);
    });
    if (keep.length === this.#running.length) return;
    this.#kv = selectRows(this.#model.kvShape, this.#kv, keep, this.#pool);
    this.#running = keep.map((row) => this.#running[row]!);
  }
}
