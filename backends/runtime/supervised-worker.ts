// Keeps one model worker alive: when its thread exits unexpectedly, listeners hear of it at once (so they fail
// what it held) and a fresh worker loads the session again after an exponential backoff, so a crash loop cannot spin.
import type { Logger } from "pino";
import type { EncoderBatch } from "#backends/models/encoder.ts";
import type { SequenceRequest, StepReport, WorkerInit } from "./protocol.ts";
import { WorkerExitedError, WorkerHandle } from "./worker-handle.ts";

export type RestartBackoff = { initialMs: number; maxMs: number };

/** Wait before restart attempt `attempt` (0 for the first after an exit): initialMs doubling up to maxMs. */
export function restartDelayMs(attempt: number, backoff: RestartBackoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
}

export type SupervisorOptions = {
  init: WorkerInit;
  logger: Logger;
  /** Called as each replacement worker starts loading (restarts are counted, crash loops included). */
  onRestart: () => void;
  backoff: RestartBackoff;
};

export class SupervisedWorker {
  readonly #options: SupervisorOptions;
  readonly #stepListeners: ((report: StepReport) => void)[] = [];
  readonly #lostListeners: ((error: WorkerExitedError) => void)[] = [];
  #handle: WorkerHandle | null = null;
  #lastExit: string | null = null;
  #attempt = 0;
  #readyAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #starting: Promise<void> | null = null;
  #closed = false;

  constructor(first: WorkerHandle, options: SupervisorOptions) {
    this.#options = options;
    this.#adopt(first);
  }

  /** False while the worker is being restarted: nothing may be sent to it then. */
  get ready(): boolean {
    return this.#handle !== null;
  }

  /** Why the worker last went down, while it is being restarted; null while it serves. */
  get failure(): string | null {
    return this.#handle ? null : this.#lastExit;
  }

  onStep(listener: (report: StepReport) => void): void {
    this.#stepListeners.push(listener);
  }

  /** Called each time the worker dies unexpectedly, before its replacement is scheduled. */
  onLost(listener: (error: WorkerExitedError) => void): void {
    this.#lostListeners.push(listener);
  }

  addSequence(request: SequenceRequest): void {
    this.#running().addSequence(request);
  }

  cancel(id: number): void {
    this.#handle?.cancel(id);
  }

  encode(batch: EncoderBatch): Promise<{ embeddings: Float32Array; dim: number; ms: number }> {
    return this.#handle ? this.#handle.encode(batch) : Promise.reject(this.#notRunning());
  }

  /** Fault injection for tests: see WorkerHandle.injectCrash. */
  injectCrash(reason?: string): void {
    this.#handle?.injectCrash(reason);
  }

  /** Stops for good: no restart is scheduled after this, and a worker still loading is stopped once it is up. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    // Terminating a worker inside onnxruntime's session load could abort the process, so let the load finish.
    await this.#starting;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.terminate();
  }

  #adopt(handle: WorkerHandle): void {
    this.#handle = handle;
    this.#readyAt = performance.now();
    handle.onStep((report) => {
      for (const listener of this.#stepListeners) listener(report);
    });
    handle.onExit((error) => this.#onExit(handle, error));
  }

  #onExit(handle: WorkerHandle, error: WorkerExitedError): void {
    if (this.#handle !== handle) return;
    this.#handle = null;
    this.#lastExit = error.message;
    // A worker that served for a while before dying starts a fresh backoff; one that dies at once keeps growing it.
    if (performance.now() - this.#readyAt >= this.#options.backoff.maxMs) this.#attempt = 0;
    for (const listener of this.#lostListeners) listener(error);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    const delayMs = restartDelayMs(this.#attempt++, this.#options.backoff);
    this.#options.logger.error({ reason: this.#lastExit, delayMs }, "model worker down; restarting it");
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#starting = this.#restart().finally(() => (this.#starting = null));
    }, delayMs);
  }

  async #restart(): Promise<void> {
    this.#options.onRestart();
    try {
      const handle = await WorkerHandle.start(this.#options.init);
      if (this.#closed) return void (await handle.terminate());
      this.#adopt(handle);
      this.#options.logger.info("model worker restarted");
    } catch (error) {
      this.#lastExit = (error as Error).message;
      this.#schedule();
    }
  }

  #running(): WorkerHandle {
    if (!this.#handle) throw this.#notRunning();
    return this.#handle;
  }

  #notRunning(): WorkerExitedError {
    return new WorkerExitedError(`the model worker is restarting (${this.#lastExit ?? "stopped"})`);
  }
}
