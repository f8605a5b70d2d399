// Watches a stream's token usage without buffering, and drops the final usage chunk when only the limiter
// asked for it.
import { chunkUsage, usageTokens, withoutNullUsage } from "#gateway/openai/usage.ts";
import type { SseData } from "#gateway/pipeline/types.ts";

export type StreamUsage = { totalTokens: number | undefined; dataChunks: number; completed: boolean };

/**
 * Passes a stream through, reporting its usage once when it ends, breaks or is abandoned by the consumer.
 * `stripUsageChunk` removes the usage-only chunk (the client did not ask for it).
 */
export async function* trackStreamUsage(
  events: AsyncIterable<SseData>,
  stripUsageChunk: boolean,
  onEnd: (usage: StreamUsage) => void,
): AsyncGenerator<SseData> {
  const seen: StreamUsage = { totalTokens: undefined, dataChunks: 0, completed: false };
  try {
    for await (const data of events) {
      const found = chunkUsage(data);
      if (found) seen.totalTokens = usageTokens(found.usage) ?? seen.totalTokens;
      if (data !== "[DONE]" && !found?.usageOnly) seen.dataChunks++;
      if (stripUsageChunk) {
        if (found?.usageOnly) continue;
        yield withoutNullUsage(data);
      } else yield data;
    }
    seen.completed = true;
  } finally {
    onEnd(seen);
  }
}
