// A stream's token usage: asking the node for it (stream_options.include_usage) when the client did not, and
// watching for it without buffering, dropping the usage chunk again when only the gateway wanted it (the rate
// limiter to settle, usage metering to count).
import { chunkUsage, usageTokens, withoutNullUsage } from "#gateway/openai/usage.ts";
import type { ForwardRequest, SseData } from "#gateway/pipeline/types.ts";

export type StreamUsage = {
  totalTokens: number | undefined;
  /** The usage object as the stream reported it (prompt and completion tokens), when it did. */
  usage: unknown;
  dataChunks: number;
  completed: boolean;
};

/**
 * Whether a layer that watches usage must ask for a stream's usage chunk itself (withUsageRequested) and strip it
 * again: the request streams and its client did not ask. A layer further in sees the request already asking.
 */
export function usageChunkNeeded(req: ForwardRequest): boolean {
  const options = req.body.stream_options as { include_usage?: unknown } | null | undefined;
  return req.stream && options?.include_usage !== true;
}

/** The same request, asking for the usage chunk (a copy: layers never mutate the request). */
export function withUsageRequested(req: ForwardRequest): ForwardRequest {
  const options = (req.body.stream_options as Record<string, unknown> | null | undefined) ?? {};
  return { ...req, body: { ...req.body, stream_options: { ...options, include_usage: true } } };
}

/**
 * Passes a stream through, reporting its usage once when it ends, breaks or is abandoned by the consumer.
 * `stripUsageChunk` removes the usage-only chunk (the client did not ask for it). Several layers watch the same
 * stream (metering, quotas, the rate limiter): a stream already watched is returned with one more listener, so the
 * events pass through one watcher, not one async generator per layer. Listeners hear the usage innermost first.
 */
export function trackStreamUsage(
  events: AsyncIterable<SseData>,
  stripUsageChunk: boolean,
  onEnd: (usage: StreamUsage) => void,
): UsageWatchedStream {
  const watched = events instanceof UsageWatchedStream ? events : new UsageWatchedStream(events);
  return watched.watch(stripUsageChunk, onEnd);
}

export class UsageWatchedStream implements AsyncIterable<SseData> {
  readonly #events: AsyncIterable<SseData>;
  readonly #listeners: Array<(usage: StreamUsage) => void> = [];
  /** Set when any watcher strips: an outer layer only asks when the client did not (see usageChunkNeeded). */
  #strip = false;

  constructor(events: AsyncIterable<SseData>) {
    this.#events = events;
  }

  watch(stripUsageChunk: boolean, onEnd: (usage: StreamUsage) => void): this {
    this.#strip ||= stripUsageChunk;
    this.#listeners.push(onEnd);
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SseData> {
    const seen: StreamUsage = { totalTokens: undefined, usage: undefined, dataChunks: 0, completed: false };
    try {
      for await (const data of this.#events) {
        const found = chunkUsage(data);
        if (found) {
          seen.totalTokens = usageTokens(found.usage) ?? seen.totalTokens;
          seen.usage = found.usage;
        }
        if (data !== "[DONE]" && !found?.usageOnly) seen.dataChunks++;
        if (this.#strip) {
          if (found?.usageOnly) continue;
          yield withoutNullUsage(data);
        } else yield data;
      }
      seen.completed = true;
    } finally {
      for (const listener of this.#listeners) listener(seen);
    }
  }
}
