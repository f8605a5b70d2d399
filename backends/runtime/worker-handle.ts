// The HTTP thread's side of one model worker: starts it, waits until its session is ready, forwards sequences
// and encode batches, and fans step reports out to listeners. A crashed worker fails everything it held with a
// WorkerExitedError, which callers tell apart from a model error (the request may be retried elsewhere).
import { Worker } from "node:worker_threads";
import type { EncoderBatch } from "#backends/models/encoder.ts";
import type { FromWorker, ReadyInfo, SequenceRequest, StepReport, ToWorker, WorkerInit } from "./protocol.ts";

/** The worker thread ended without being asked to (uncaught error, process.exit in it, out of memory). */
export class WorkerExitedError extends Error {
  override readonly name = "WorkerExitedError";
}

type PendingEncode = {
  resolve: (r: { embeddings: Float32Array; dim: number; ms: number }) => void;
  reject: (e: Error) => void;
};

export class WorkerHandle {
  readonly info: ReadyInfo;
  readonly #worker: Worker;
  readonly #pending = new Map<number, PendingEncode>();
  readonly #stepListeners: ((report: StepReport) => void)[] = [];
  readonly #exitListeners: ((error: WorkerExitedError) => void)[] = [];
  #nextId = 1;
  #closing = false;

  private constructor(worker: Worker, info: ReadyInfo) {
    this.#worker = worker;
    this.info = info;
    worker.on("message", (message: FromWorker) => this.#onMessage(message));
    worker.on("error", (error) => this.#fail(`model worker crashed: ${error.message}`));
    worker.on("exit", (code) => this.#fail(`model worker exited with code ${code}`));
  }

  static async start(init: WorkerInit): Promise<WorkerHandle> {
    const worker = new Worker(new URL("./model-worker.ts", import.meta.url), { workerData: init });
    // Only these listeners may be removed: Worker.removeAllListeners() also drops Node's internal message plumbing.
    let onMessage: (message: FromWorker) => void = () => {};
    let onError: (error: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      const info = await new Promise<ReadyInfo>((resolve, reject) => {
        onMessage = (message) => {
          if (message.type === "ready")
            resolve({ io: message.io, provider: message.provider, fallbackReason: message.fallbackReason });
          else if (message.type === "init-error") reject(new Error(message.message));
        };
        onError = reject;
        onExit = (code) => reject(new Error(`model worker exited with code ${code} while loading`));
        worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      });
      return new WorkerHandle(worker, info);
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
    }
  }

  onStep(listener: (report: StepReport) => void): void {
    this.#stepListeners.push(listener);
  }

  /** Called once if the worker dies unexpectedly. */
  onExit(listener: (error: WorkerExitedError) => void): void {
    this.#exitListeners.push(listener);
  }

  addSequence(request: SequenceRequest): void {
    this.#post({ type: "add", request });
  }

  cancel(id: number): void {
    this.#post({ type: "cancel", id });
  }

  encode(batch: EncoderBatch): Promise<{ embeddings: Float32Array; dim: number; ms: number }> {
    if (this.#closing) return Promise.reject(new WorkerExitedError("the model worker is not running"));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ type: "encode", id, ...batch } satisfies ToWorker, [batch.ids.buffer as ArrayBuffer]);
    });
  }

  /**
   * Fault injection for tests: the worker throws an uncaught error at its next message, between onnxruntime runs
   * (terminating it inside a run would abort the process), and its exit is handled like any unexpected one.
   */
  injectCrash(reason = "injected crash"): void {
    this.#post({ type: "crash", reason });
  }

  async terminate(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #onMessage(message: FromWorker): void {
    if (message.type === "step") {
      for (const listener of this.#stepListeners) listener(message.report);
    } else if (message.type === "encoded" || message.type === "encode-error") {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.type === "encoded") pending?.resolve(message);
      else pending?.reject(new Error(message.message));
    }
  }

  #fail(reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    const error = new WorkerExitedError(reason);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const listener of this.#exitListeners) listener(error);
  }
}
