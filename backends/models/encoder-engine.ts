// The HTTP thread's view of an encoder model: token lists go through the dynamic batcher, each batch is padded
// to its longest row and sent to a free worker, and the pooled embeddings come back one per input. A batch on a
// worker that dies fails with a retryable 503; the others (or its replacement) keep serving.
import { DynamicBatcher } from "#backends/batching/dynamic-batcher.ts";
import { paddingGroups } from "#backends/batching/padding-groups.ts";
import { ModelFailedError, ModelRestartingError, ModelUnavailableError, QueueFullError } from "#backends/errors.ts";
import type { NodeMetrics } from "#backends/metrics.ts";
import type { SupervisedWorker } from "#backends/runtime/supervised-worker.ts";
import { WorkerExitedError } from "#backends/runtime/worker-handle.ts";
import type { ModelNodeConfig } from "#config/schema.ts";

type Item = { ids: readonly number[]; enqueuedAt: number };

export type EncoderEngineOptions = {
  modelId: string;
  padId: number;
  batching: ModelNodeConfig["encoderBatching"];
  metrics: NodeMetrics;
};

export class EncoderEngine {
  readonly #workers: SupervisedWorker[];
  readonly #busy = new Set<SupervisedWorker>();
  readonly #batcher: DynamicBatcher<Item, Float32Array>;
  readonly #options: EncoderEngineOptions;
  #recentStepMs = 0;

  constructor(workers: SupervisedWorker[], options: EncoderEngineOptions) {
    this.#workers = workers;
    this.#options = options;
    this.#batcher = new DynamicBatcher({
      ...options.batching,
      concurrency: workers.length,
      run: (items) => this.#run(items),
      queueFull: () => new QueueFullError(options.modelId),
    });
  }

  /** Why a worker of this model last died, while it is being restarted; null while all serve. */
  get failure(): string | null {
    return this.#workers.find((w) => !w.ready)?.failure ?? null;
  }

  get queueDepth(): number {
    return this.#batcher.queueDepth;
  }

  get inFlight(): number {
    return this.#batcher.inFlight;
  }

  /** The most inputs that can ever be queued at once (larger requests could never be admitted). */
  get maxQueueLength(): number {
    return this.#options.batching.maxQueueLength;
  }

  get recentStepMs(): number {
    return this.#recentStepMs;
  }

  async embed(inputs: readonly (readonly number[])[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!this.#workers.some((w) => w.ready)) throw new ModelRestartingError(this.#options.modelId, this.failure);
    const now = performance.now();
    return this.#batcher.submit(
      inputs.map((ids) => ({ ids, enqueuedAt: now })),
      signal,
    );
  }

  /** One dynamic batch: split into similar-length groups (less padding), all sent to one free worker. */
  async #run(items: Item[]): Promise<Float32Array[]> {
    const { metrics, modelId } = this.#options;
    const ready = this.#workers.filter((w) => w.ready);
    const worker = ready.find((w) => !this.#busy.has(w)) ?? ready[0];
    if (!worker) throw new ModelRestartingError(this.#options.modelId, this.failure);
    this.#busy.add(worker);
    const dispatchedAt = performance.now();
    for (const item of items) metrics.queueWait.observe({ model: modelId }, (dispatchedAt - item.enqueuedAt) / 1000);
    const results = new Array<Float32Array>(items.length);
    try {
      const groups = paddingGroups(items.map((i) => i.ids.length));
      await Promise.all(
        groups.map(async (group) => {
          const vectors = await this.#encode(
            worker,
            group.map((i) => items[i]!.ids),
          );
          group.forEach((index, row) => {
            results[index] = vectors[row]!;
          });
        }),
      );
      return results;
    } catch (error) {
      if (error instanceof WorkerExitedError) throw new ModelUnavailableError(modelId, error.message, 1);
      throw new ModelFailedError((error as Error).message);
    } finally {
      this.#busy.delete(worker);
    }
  }

  async #encode(worker: SupervisedWorker, rows: (readonly number[])[]): Promise<Float32Array[]> {
    const { metrics, modelId, padId } = this.#options;
    const cols = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * cols).fill(BigInt(padId));
    for (const [r, row] of rows.entries()) {
      for (let t = 0; t < row.length; t++) ids[r * cols + t] = BigInt(row[t]!);
    }
    const { embeddings, dim, ms } = await worker.encode({ ids, lengths: rows.map((r) => r.length), cols });
    metrics.batchSize.observe({ model: modelId, phase: "encode" }, rows.length);
    metrics.stepTime.observe({ model: modelId, phase: "encode" }, ms / 1000);
    this.#recentStepMs = this.#recentStepMs ? 0.8 * this.#recentStepMs + 0.2 * ms : ms;
    return rows.map((_, r) => embeddings.subarray(r * dim, (r + 1) * dim));
  }
}
