// Streams: hold an attempt's result until the node's first event arrives (so a node that dies before its first
// token can be retried invisibly), then relay the rest with an inter-token stall watchdog. After the first
// event nothing can be retried: a failure is thrown from `events` and the route sends an SSE error event.
import { type GatewayError, UpstreamError } from "#gateway/openai/errors.ts";
import { asCancelSource, type CancelSource } from "#gateway/pipeline/cancel-source.ts";
import type { SseData, StreamResult } from "#gateway/pipeline/types.ts";
import { AttemptTimeoutError } from "./errors.ts";
import type { AttemptScope } from "./scopes.ts";

export type StreamEnd = { outcome: "complete" | "failed" | "abandoned"; error?: GatewayError };

export type StreamGuardOptions = {
  attempt: AttemptScope;
  nodeId: string;
  interTokenMs: number;
  /** Turns whatever the stream threw into the error the client should see. */
  explain: (error: unknown) => GatewayError;
  /** Called exactly once, when the stream completes, fails, or its consumer stops. */
  onEnd: (end: StreamEnd) => void;
};

/**
 * Waits for `iterator.next()` unless `cancel` aborts first (then rejects with its reason). For a stream's first event;
 * the events after it share one subscription (GuardedEvents).
 */
export function nextOrAbort<T>(
  iterator: AsyncIterator<T>,
  cancel: CancelSource | AbortSignal,
): Promise<IteratorResult<T>> {
  const source = asCancelSource(cancel);
  if (source.aborted) return Promise.reject(source.reason);
  return new Promise((resolve, reject) => {
    const stop = source.onAbort(() => reject(source.reason));
    iterator.next().then(
      (next) => {
        stop();
        resolve(next);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

export async function holdFirstEvent(result: StreamResult, opts: StreamGuardOptions): Promise<StreamResult> {
  const { attempt, nodeId } = opts;
  const iterator = result.events[Symbol.asyncIterator]();
  let first: IteratorResult<SseData>;
  try {
    first = await nextOrAbort(iterator, attempt);
    if (first.done)
      throw new UpstreamError(`Node ${nodeId} ended the stream before its first event.`, { nodeId, nodeFault: true });
  } catch (error) {
    void Promise.resolve(iterator.return?.()).catch(() => {});
    throw error;
  }
  attempt.watch(
    opts.interTokenMs,
    () =>
      new AttemptTimeoutError(
        nodeId,
        `Node ${nodeId} sent nothing for ${opts.interTokenMs} ms in the middle of the stream.`,
      ),
  );
  attempt.waiting(false);

  const events = new GuardedEvents(iterator, first.value, attempt, opts);
  // A result nobody iterates must still release its node when the request is aborted or times out.
  attempt.onAbort(() => events.started || events.finish({ outcome: "abandoned" }));
  return { ...result, events };
}

/**
 * A stream from its first event on, each later event raced against the attempt's cancellation and timed by its
 * watchdog; `onEnd` hears how the stream ended, once. A hand-written iterator rather than an async generator: every
 * event of a stream passes here, and a generator layer costs each one promise turns of its own (see stream-usage.ts).
 */
class GuardedEvents implements AsyncIterableIterator<SseData> {
  started = false;
  readonly #iterator: AsyncIterator<SseData>;
  readonly #attempt: AttemptScope;
  readonly #opts: StreamGuardOptions;
  #first: SseData | undefined;
  #finished = false;
  /** Rejects the wait in progress; one abort subscription serves the whole stream rather than one per event. */
  #rejectWait: ((reason: unknown) => void) | undefined = undefined;
  #stopListening: (() => void) | undefined = undefined;
  // Bound once per stream, not per event.
  readonly #onNext = (next: IteratorResult<SseData>): IteratorResult<SseData> => {
    if (this.#finished) return { done: true, value: undefined };
    this.#attempt.waiting(false);
    if (next.done) this.finish({ outcome: "complete" });
    return next;
  };
  readonly #onError = (error: unknown): IteratorResult<SseData> => {
    if (this.#finished) return { done: true, value: undefined };
    const failure = this.#opts.explain(error);
    this.finish({ outcome: "failed", error: failure });
    throw failure;
  };

  constructor(iterator: AsyncIterator<SseData>, first: SseData, attempt: AttemptScope, opts: StreamGuardOptions) {
    this.#iterator = iterator;
    this.#first = first;
    this.#attempt = attempt;
    this.#opts = opts;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<SseData>> {
    if (this.#finished) return Promise.resolve({ done: true, value: undefined });
    const attempt = this.#attempt;
    if (!this.started) {
      this.started = true;
      this.#stopListening = attempt.onAbort(() => this.#rejectWait?.(attempt.reason));
      const first = this.#first!;
      this.#first = undefined;
      return Promise.resolve({ done: false, value: first });
    }
    attempt.waiting(true);
    const wait: Promise<IteratorResult<SseData>> = attempt.aborted
      ? Promise.reject(attempt.reason)
      : new Promise((resolve, reject) => {
          this.#rejectWait = reject;
          this.#iterator.next().then(resolve, reject);
        });
    return wait.then(this.#onNext, this.#onError);
  }

  /** The consumer stopped: the node's stream is given up and its connection released. */
  async return(value?: unknown): Promise<IteratorResult<SseData>> {
    this.finish({ outcome: "abandoned" });
    return { done: true, value };
  }

  finish(outcome: StreamEnd): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#stopListening?.();
    if (outcome.outcome !== "complete") void Promise.resolve(this.#iterator.return?.()).catch(() => {});
    this.#opts.onEnd(outcome);
  }
}
