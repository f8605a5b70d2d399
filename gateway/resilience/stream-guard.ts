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

/** Waits for `iterator.next()` unless `cancel` aborts first (then rejects with its reason). Runs once per event. */
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

  let ended = false;
  let started = false;
  const end = (outcome: StreamEnd) => {
    if (ended) return;
    ended = true;
    opts.onEnd(outcome);
  };
  // A result nobody iterates must still release its node when the request is aborted or times out.
  attempt.onAbort(() => started || end({ outcome: "abandoned" }));

  async function* relay(firstData: SseData): AsyncGenerator<SseData> {
    started = true;
    let outcome: StreamEnd = { outcome: "abandoned" };
    // As nextOrAbort does, but with one abort subscription for the stream's life rather than one per event: an
    // abort rejects whichever wait is in progress.
    let rejectWait: ((reason: unknown) => void) | undefined;
    const stopListening = attempt.onAbort(() => rejectWait?.(attempt.reason));
    const nextEvent = (): Promise<IteratorResult<SseData>> =>
      attempt.aborted
        ? Promise.reject(attempt.reason)
        : new Promise((resolve, reject) => {
            rejectWait = reject;
            iterator.next().then(resolve, reject);
          });
    try {
      yield firstData;
      for (;;) {
        attempt.waiting(true);
        const next = await nextEvent();
        attempt.waiting(false);
        if (next.done) break;
        yield next.value;
      }
      outcome = { outcome: "complete" };
    } catch (error) {
      const failure = opts.explain(error);
      outcome = { outcome: "failed", error: failure };
      throw failure;
    } finally {
      stopListening();
      if (outcome.outcome !== "complete") void Promise.resolve(iterator.return?.()).catch(() => {});
      end(outcome);
    }
  }
  return { ...result, events: relay(first.value) };
}
