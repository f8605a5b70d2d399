// Fans one upstream stream out to every coalesced reader: the source is read once and kept, and each reader
// replays it from the start at its own pace, so a reader that joins late still gets the whole identical stream.
import type { SseData } from "#gateway/pipeline/types.ts";

export type Broadcast = {
  /** A reader that stops when its signal aborts; `onLeave` runs once when it ends, breaks off or aborts. */
  subscribe(signal: AbortSignal, onLeave: () => void): AsyncIterable<SseData>;
};

export function broadcast(source: AsyncIterable<SseData>, onSettled: () => void): Broadcast {
  const shared = new SharedSource(source, onSettled);
  return { subscribe: (signal, onLeave) => ({ [Symbol.asyncIterator]: () => new Reader(shared, signal, onLeave) }) };
}

/** The source, read once (from the first reader's first step), and everything it sent so far. */
class SharedSource {
  readonly buffer: SseData[] = [];
  finished = false;
  failure: { error: unknown } | undefined = undefined;
  readonly #source: AsyncIterable<SseData>;
  readonly #onSettled: () => void;
  #waiters: (() => void)[] = [];
  #started = false;

  constructor(source: AsyncIterable<SseData>, onSettled: () => void) {
    this.#source = source;
    this.#onSettled = onSettled;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#pump();
  }

  /** Calls `wake` once, at the next change to the buffer or to the source's state. */
  onChange(wake: () => void): void {
    this.#waiters.push(wake);
  }

  #notify(): void {
    const woken = this.#waiters;
    this.#waiters = [];
    for (const wake of woken) wake();
  }

  async #pump(): Promise<void> {
    try {
      for await (const data of this.#source) {
        this.buffer.push(data);
        this.#notify();
      }
      this.finished = true;
    } catch (error) {
      this.failure = { error };
    } finally {
      this.#onSettled();
      this.#notify();
    }
  }
}

/**
 * One reader's pass over the broadcast. A hand-written iterator rather than an async generator: every event of a
 * coalesced stream passes here (see openai/stream-usage.ts). The reader's signal is listened to once for its whole
 * pass, not once per wait for the source.
 */
class Reader implements AsyncIterator<SseData> {
  readonly #shared: SharedSource;
  readonly #signal: AbortSignal;
  readonly #onLeave: () => void;
  #position = 0;
  #started = false;
  #left = false;
  #rejectWait: ((reason: unknown) => void) | undefined = undefined;
  // Bound once per reader, not per event.
  readonly #onAbort = () => this.#rejectWait?.(this.#signal.reason);
  readonly #afterChange = () => this.next();
  readonly #onAborted = (reason: unknown): never => {
    this.#leave();
    throw reason;
  };

  constructor(shared: SharedSource, signal: AbortSignal, onLeave: () => void) {
    this.#shared = shared;
    this.#signal = signal;
    this.#onLeave = onLeave;
  }

  next(): Promise<IteratorResult<SseData>> {
    if (this.#left) return Promise.resolve({ done: true, value: undefined });
    const shared = this.#shared;
    if (!this.#started) {
      this.#started = true;
      shared.start();
      this.#signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    if (this.#position < shared.buffer.length) {
      return Promise.resolve({ done: false, value: shared.buffer[this.#position++]! });
    }
    if (shared.failure) return this.#fail(shared.failure.error);
    if (shared.finished) {
      this.#leave();
      return Promise.resolve({ done: true, value: undefined });
    }
    if (this.#signal.aborted) return this.#fail(this.#signal.reason);
    const change = new Promise<void>((resolve, reject) => {
      this.#rejectWait = reject;
      shared.onChange(resolve);
    });
    return change.then(this.#afterChange, this.#onAborted);
  }

  async return(value?: unknown): Promise<IteratorResult<SseData>> {
    this.#leave();
    return { done: true, value };
  }

  #fail(error: unknown): Promise<never> {
    this.#leave();
    return Promise.reject(error);
  }

  #leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#signal.removeEventListener("abort", this.#onAbort);
    this.#onLeave();
  }
}
