// The HTTP thread's view of a decoder model: admits sequences (bounded queue, 429 when full), spreads them over
// the model's workers, routes each worker's step reports back to the sequences, and keeps load and metrics.
// A worker that dies fails its sequences with a retryable 503; the others (or its replacement) keep serving.
import type { FinishReason, StepReport } from "#backends/batching/continuous-batcher.ts";
import { ModelFailedError, ModelRestartingError, ModelUnavailableError, QueueFullError } from "#backends/errors.ts";
import type { NodeMetrics } from "#backends/metrics.ts";
import type { SupervisedWorker } from "#backends/runtime/supervised-worker.ts";
import type { LogitAdjustments } from "./logit-adjustments.ts";
import type { SamplingParams } from "./sampling.ts";
import type { TokenLogprob } from "./token-logprobs.ts";

export type SequenceSpec = {
  promptIds: number[];
  maxNewTokens: number;
  sampling: SamplingParams;
  seed: number;
  ignoreEos: boolean;
  /** logit_bias and presence/frequency penalties, when the request asks for any. */
  adjust?: LogitAdjustments;
  /** How many top alternatives to report with each token's logprob; absent when no logprobs are wanted. */
  logprobs?: number;
};

export type SequenceListener = {
  /** `logprob` comes only for a sequence that asked for logprobs. */
  onToken(token: number, logprob?: TokenLogprob): void;
  /** `error` comes with reason "error": a GatewayError (model failure, or a lost worker's retryable 503). */
  onFinished(reason: FinishReason, error?: Error): void;
};

type Tracked = {
  listener: SequenceListener;
  worker: SupervisedWorker;
  submittedAt: number;
  admittedAt: number | null;
  lastTokenAt: number | null;
};

export type DecoderEngineOptions = { modelId: string; maxQueueLength: number; eosIds: number[]; metrics: NodeMetrics };

let nextSequenceId = 1;

/** The per-token metrics with this model's label bound (validated) once rather than on every token. */
function tokenMetrics(metrics: NodeMetrics, model: string) {
  return {
    timeToFirstToken: metrics.timeToFirstToken.labels({ model }),
    interTokenLatency: metrics.interTokenLatency.labels({ model }),
    tokensGenerated: metrics.tokensGenerated.labels({ model }),
  };
}

export class DecoderEngine {
  readonly #workers: SupervisedWorker[];
  readonly #options: DecoderEngineOptions;
  readonly #tokenMetrics: ReturnType<typeof tokenMetrics>;
  readonly #sequences = new Map<number, Tracked>();
  readonly #load = new Map<SupervisedWorker, number>();
  #waiting = 0;
  #recentStepMs = 0;

  constructor(workers: SupervisedWorker[], options: DecoderEngineOptions) {
    this.#workers = workers;
    this.#options = options;
    this.#tokenMetrics = tokenMetrics(options.metrics, options.modelId);
    for (const worker of workers) {
      this.#load.set(worker, 0);
      worker.onStep((report) => this.#onStep(report));
      worker.onLost((error) => this.#onWorkerLost(worker, error));
    }
  }

  get queueDepth(): number {
    return this.#waiting;
  }

  get runningSequences(): number {
    return this.#sequences.size - this.#waiting;
  }

  /** Why a worker of this model last died, while it is being restarted; null while all serve. */
  get failure(): string | null {
    return this.#workers.find((w) => !w.ready)?.failure ?? null;
  }

  /** Exponentially weighted decode step time in ms (0 before the first step). */
  get recentStepMs(): number {
    return this.#recentStepMs;
  }

  /** Queues a sequence; returns its cancel function. Throws QueueFullError instead of growing without bound. */
  submit(spec: SequenceSpec, listener: SequenceListener): () => void {
    const worker = this.#leastLoaded();
    if (!worker) throw new ModelRestartingError(this.#options.modelId, this.failure);
    if (this.#waiting >= this.#options.maxQueueLength) throw new QueueFullError(this.#options.modelId);
    const id = nextSequenceId++;
    this.#sequences.set(id, { listener, worker, submittedAt: performance.now(), admittedAt: null, lastTokenAt: null });
    this.#load.set(worker, this.#load.get(worker)! + 1);
    this.#waiting++;
    worker.addSequence({
      id,
      promptIds: spec.promptIds,
      maxNewTokens: spec.maxNewTokens,
      sampling: spec.sampling,
      seed: spec.seed,
      eosIds: spec.ignoreEos ? [] : this.#options.eosIds,
      ...(spec.adjust && { adjust: spec.adjust }),
      ...(spec.logprobs !== undefined && { logprobs: spec.logprobs }),
    });
    let cancelled = false;
    return () => {
      if (cancelled || !this.#sequences.has(id)) return;
      cancelled = true;
      worker.cancel(id);
    };
  }

  /** The ready worker with the fewest sequences, or undefined while every worker is restarting. */
  #leastLoaded(): SupervisedWorker | undefined {
    let best: SupervisedWorker | undefined;
    for (const w of this.#workers) if (w.ready && (!best || this.#load.get(w)! < this.#load.get(best)!)) best = w;
    return best;
  }

  #onStep(report: StepReport): void {
    const { metrics, modelId } = this.#options;
    const now = performance.now();
    for (const id of report.admitted) {
      const seq = this.#sequences.get(id);
      if (!seq || seq.admittedAt !== null) continue;
      seq.admittedAt = now - report.prefillMs - report.decodeMs;
      this.#waiting--;
      metrics.queueWait.observe({ model: modelId }, (seq.admittedAt - seq.submittedAt) / 1000);
    }
    if (report.prefillRows) {
      metrics.batchSize.observe({ model: modelId, phase: "prefill" }, report.prefillRows);
      metrics.stepTime.observe({ model: modelId, phase: "prefill" }, report.prefillMs / 1000);
    }
    if (report.decodeRows) {
      metrics.batchSize.observe({ model: modelId, phase: "decode" }, report.decodeRows);
      metrics.stepTime.observe({ model: modelId, phase: "decode" }, report.decodeMs / 1000);
      this.#recentStepMs = this.#recentStepMs ? 0.8 * this.#recentStepMs + 0.2 * report.decodeMs : report.decodeMs;
    }
    const { timeToFirstToken, interTokenLatency, tokensGenerated } = this.#tokenMetrics;
    let delivered = 0;
    for (const [id, token, logprob] of report.tokens) {
      const seq = this.#sequences.get(id);
      if (!seq) continue;
      if (seq.lastTokenAt === null) timeToFirstToken.observe((now - seq.submittedAt) / 1000);
      else interTokenLatency.observe((now - seq.lastTokenAt) / 1000);
      seq.lastTokenAt = now;
      delivered++;
      seq.listener.onToken(token, logprob);
    }
    if (delivered) tokensGenerated.inc(delivered);
    const error = report.error === undefined ? undefined : new ModelFailedError(report.error);
    for (const [id, reason] of report.finished) this.#finish(id, reason, error);
  }

  #finish(id: number, reason: FinishReason, error?: Error): void {
    const seq = this.#sequences.get(id);
    if (!seq) return;
    this.#sequences.delete(id);
    if (seq.admittedAt === null) this.#waiting--;
    this.#load.set(seq.worker, this.#load.get(seq.worker)! - 1);
    seq.listener.onFinished(reason, error);
  }

  #onWorkerLost(worker: SupervisedWorker, error: Error): void {
    const lost = new ModelUnavailableError(this.#options.modelId, error.message, 1);
    for (const [id, seq] of [...this.#sequences]) if (seq.worker === worker) this.#finish(id, "error", lost);
  }
}
