// Fans one upstream stream out to every coalesced reader: the source is read once and kept, and each reader
// replays it from the start at its own pace, so a reader that joins late still gets the whole identical stream.
import type { SseData } from "#gateway/pipeline/types.ts";

export type Broadcast = {
  /** A reader that stops when its signal aborts; `onLeave` runs once when it ends, breaks off or aborts. */
  subscribe(signal: AbortSignal, onLeave: () => void): AsyncIterable<SseData>;
};

export function broadcast(source: AsyncIterable<SseData>, onSettled: () => void): Broadcast {
  const buffer: SseData[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let waiters: (() => void)[] = [];
  let started = false;

  const notify = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  const pump = async () => {
    try {
      for await (const data of source) {
        buffer.push(data);
        notify();
      }
      finished = true;
    } catch (error) {
      failure = { error };
    } finally {
      onSettled();
      notify();
    }
  };
  const nextChange = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      waiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });

  async function* read(signal: AbortSignal, onLeave: () => void): AsyncGenerator<SseData> {
    if (!started) {
      started = true;
      void pump();
    }
    try {
      for (let i = 0; ; ) {
        if (i < buffer.length) yield buffer[i++]!;
        else if (failure) throw failure.error;
        else if (finished) return;
        else if (signal.aborted) throw signal.reason;
        else await nextChange(signal);
      }
    } finally {
      onLeave();
    }
  }

  return { subscribe: (signal, onLeave) => ({ [Symbol.asyncIterator]: () => read(signal, onLeave) }) };
}
