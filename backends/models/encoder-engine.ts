// The HTTP thread's view of an encoder model: token lists go through the dynamic batcher, each batch is padded
// to its longest row and sent to a free worker, and the pooled embeddings come back one per input.
import { DynamicBatcher } from "#backends/batching/dynamic-batcher.ts";
import { paddingGroups } from "#backends/batching/padding-groups.ts";
import { ModelFailedError, ModelUnavailableError, QueueFullError } from "#backends/errors.ts";
import type { NodeMetrics } from "#backends/metrics.ts";
import type { WorkerHandle } from "#backends/runtime/worker-handle.ts";
import type { ModelNodeConfig } from "#config/schema.ts";

type Item = { ids: readonly number[]; enqueuedAt: number };

export type EncoderEngineOptions = {
  modelId: string;
  padId: number;
  batching: ModelNodeConfig["encoderBatching"];
  metrics: NodeMetrics;
};

export class EncoderEngine {
  readonly #workers: WorkerHandle[];
  readonly #busy = new Set<WorkerHandle>();
  readonly #batcher: DynamicBatcher<Item, Float32Array>;
  readonly #options: EncoderEngineOptions;
  #recentStepMs = 0;
  #failure: string | null = null;

  constructor(workers: WorkerHandle[], options: EncoderEngineOptions) {
    this.#workers = workers;
    this.#options = options;
    this.#batcher = new DynamicBatcher({
      ...options.batching,
      concurrency: workers.length,
      run: (items) => this.#run(items),
      queueFull: () => new QueueFullError(options.modelId),
    });
    for (const worker of workers) worker.onExit((error) => (this.#failure = error.message));
  }

  /** Why the model stopped serving (a worker died), or null while healthy. */
  get failure(): string | null {
    return this.#failure;
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
    if (this.#failure) throw new ModelUnavailableError(this.#options.modelId, this.#failure);
    const now = performance.now();
    return this.#batcher.submit(
      inputs.map((ids) => ({ ids, enqueuedAt: now })),
      signal,
    );
  }

  /** One dynamic batch: split into similar-length groups (less padding), all sent to one free worker. */
  async #run(items: Item[]): Promise<Float32Array[]> {
    const { metrics, modelId } = this.#options;
    const worker = this.#workers.find((w) => !this.#busy.has(w)) ?? this.#workers[0]!;
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
      throw new ModelFailedError((error as Error).message);
    } finally {
      this.#busy.delete(worker);
    }
  }

  async #encode(worker: WorkerHandle, rows: (readonly number[])[]): Promise<Float32Array[]> {
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
