// Triton-style dynamic batching for encoders: items from concurrent requests wait in one bounded queue and are
// cut into batches of up to maxBatchSize, dispatched as soon as a batch is full, the oldest item has waited
// maxQueueDelayMs, or (while all runners are busy) whenever a runner frees up. Disabled, each request runs alone.

export type DynamicBatcherOptions<I, O> = {
  enabled: boolean;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueueLength: number;
  /** Batches that may run at once (one per model worker). */
  concurrency: number;
  run: (items: I[]) => Promise<O[]>;
  /** The error thrown when a request does not fit in the queue. */
  queueFull: () => Error;
};

type Job<O> = {
  results: O[];
  remaining: number;
  resolve: (r: O[]) => void;
  reject: (e: unknown) => void;
  done: boolean;
};
type Entry<I, O> = { item: I; job: Job<O>; index: number; enqueuedAt: number };

export class DynamicBatcher<I, O> {
  readonly #options: DynamicBatcherOptions<I, O>;
  #queue: Entry<I, O>[] = [];
  #active = 0;
  #running = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: DynamicBatcherOptions<I, O>) {
    this.#options = options;
  }

  /** Items waiting for a batch. */
  get queueDepth(): number {
    return this.#queue.length;
  }

  /** Items in batches being computed. */
  get inFlight(): number {
    return this.#running;
  }

  /** Resolves with one result per item, in order. All items are admitted or none (queue full). */
  submit(items: I[], signal?: AbortSignal): Promise<O[]> {
    if (this.#queue.length + items.length > this.#options.maxQueueLength)
      return Promise.reject(this.#options.queueFull());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<O[]>((resolve, reject) => {
      const job: Job<O> = { results: new Array(items.length), remaining: items.length, resolve, reject, done: false };
      const now = performance.now();
      for (const [index, item] of items.entries()) this.#queue.push({ item, job, index, enqueuedAt: now });
      signal?.addEventListener("abort", () => this.#abandon(job, signal.reason), { once: true });
      this.#pump();
    });
  }

  #pump(): void {
    const { enabled, maxBatchSize, maxQueueDelayMs, concurrency } = this.#options;
    while (this.#active < concurrency && this.#queue.length) {
      let batch: Entry<I, O>[];
      if (enabled) {
        const waited = performance.now() - this.#queue[0]!.enqueuedAt;
        if (this.#queue.length < maxBatchSize && waited < maxQueueDelayMs) {
          this.#timer ??= setTimeout(() => {
            this.#timer = null;
            this.#pump();
          }, maxQueueDelayMs - waited);
          return;
        }
        batch = this.#queue.splice(0, maxBatchSize);
      } else {
        const job = this.#queue[0]!.job;
        const count = this.#queue.findIndex((e) => e.job !== job);
        batch = this.#queue.splice(0, count === -1 ? this.#queue.length : count);
      }
      this.#dispatch(batch);
    }
  }

  #dispatch(batch: Entry<I, O>[]): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#active++;
    this.#running += batch.length;
    this.#options
      .run(batch.map((e) => e.item))
      .then((results) =>
        batch.forEach((entry, i) => {
          entry.job.results[entry.index] = results[i]!;
          if (--entry.job.remaining === 0 && !entry.job.done) {
            entry.job.done = true;
            entry.job.resolve(entry.job.results);
          }
        }),
      )
      .catch((error: unknown) => {
        for (const entry of batch) this.#settle(entry.job, error);
      })
      .finally(() => {
        this.#active--;
        this.#running -= batch.length;
        this.#pump();
      });
  }

  #abandon(job: Job<O>, reason: unknown): void {
    this.#queue = this.#queue.filter((e) => e.job !== job);
    this.#settle(job, reason);
  }

  #settle(job: Job<O>, error: unknown): void {
    if (job.done) return;
    job.done = true;
    job.reject(error);
  }
}
