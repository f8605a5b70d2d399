// The HTTP thread's view of a decoder model: admits sequences (bounded queue, 429 when full), spreads them over
// the model's workers, routes each worker's step reports back to the sequences, and keeps load and metrics.
import type { FinishReason, StepReport } from "#backends/batching/continuous-batcher.ts";
import { ModelUnavailableError, QueueFullError } from "#backends/errors.ts";
import type { NodeMetrics } from "#backends/metrics.ts";
import type { WorkerHandle } from "#backends/runtime/worker-handle.ts";
import type { SamplingParams } from "./sampling.ts";

export type SequenceSpec = {
  promptIds: number[];
  maxNewTokens: number;
  sampling: SamplingParams;
  seed: number;
  ignoreEos: boolean;
};

export type SequenceListener = {
  onToken(token: number): void;
  onFinished(reason: FinishReason, error?: string): void;
};

type Tracked = {
  listener: SequenceListener;
  worker: WorkerHandle;
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
  readonly #workers: WorkerHandle[];
  readonly #options: DecoderEngineOptions;
  readonly #tokenMetrics: ReturnType<typeof tokenMetrics>;
  readonly #sequences = new Map<number, Tracked>();
  readonly #load = new Map<WorkerHandle, number>();
  #waiting = 0;
  #recentStepMs = 0;
  #failure: string | null = null;

  constructor(workers: WorkerHandle[], options: DecoderEngineOptions) {
    this.#workers = workers;
    this.#options = options;
    this.#tokenMetrics = tokenMetrics(options.metrics, options.modelId);
    for (const worker of workers) {
      this.#load.set(worker, 0);
      worker.onStep((report) => this.#onStep(report));
      worker.onExit((error) => this.#onWorkerExit(worker, error));
    }
  }

  get queueDepth(): number {
    return this.#waiting;
  }

  get runningSequences(): number {
    return this.#sequences.size - this.#waiting;
  }

  /** Why the model stopped serving (its worker died), or null while healthy. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Exponentially weighted decode step time in ms (0 before the first step). */
  get recentStepMs(): number {
    return this.#recentStepMs;
  }

  /** Queues a sequence; returns its cancel function. Throws QueueFullError instead of growing without bound. */
  submit(spec: SequenceSpec, listener: SequenceListener): () => void {
    if (this.#failure) throw new ModelUnavailableError(this.#options.modelId, this.#failure);
    if (this.#waiting >= this.#options.maxQueueLength) throw new QueueFullError(this.#options.modelId);
    const id = nextSequenceId++;
    const worker = this.#leastLoaded();
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
    });
    let cancelled = false;
    return () => {
      if (cancelled || !this.#sequences.has(id)) return;
      cancelled = true;
      worker.cancel(id);
    };
  }

  #leastLoaded(): WorkerHandle {
    return this.#workers.reduce((best, w) => (this.#load.get(w)! < this.#load.get(best)! ? w : best));
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
    for (const [id, token] of report.tokens) {
      const seq = this.#sequences.get(id);
      if (!seq) continue;
      if (seq.lastTokenAt === null) timeToFirstToken.observe((now - seq.submittedAt) / 1000);
      else interTokenLatency.observe((now - seq.lastTokenAt) / 1000);
      seq.lastTokenAt = now;
      delivered++;
      seq.listener.onToken(token);
    }
    if (delivered) tokensGenerated.inc(delivered);
    for (const [id, reason] of report.finished) this.#finish(id, reason, report.error);
  }

  #finish(id: number, reason: FinishReason, error?: string): void {
    const seq = this.#sequences.get(id);
    if (!seq) return;
    this.#sequences.delete(id);
    if (seq.admittedAt === null) this.#waiting--;
    this.#load.set(seq.worker, this.#load.get(seq.worker)! - 1);
    seq.listener.onFinished(reason, error);
  }

  #onWorkerExit(worker: WorkerHandle, error: Error): void {
    this.#failure = error.message;
    for (const [id, seq] of [...this.#sequences]) if (seq.worker === worker) this.#finish(id, "error", error.message);
  }
}
