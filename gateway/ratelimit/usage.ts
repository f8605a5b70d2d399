// Real token usage from a result: the JSON body's `usage`, or a stream's usage chunk. The stream wrapper
// watches usage without buffering and drops the final usage chunk when only the limiter asked for it.
import type { SseData } from "#gateway/pipeline/types.ts";

export type StreamUsage = { totalTokens: number | undefined; dataChunks: number; completed: boolean };

export function usageTokens(usage: unknown): number | undefined {
  if (!usage || typeof usage !== "object") return undefined;
  const { total_tokens, prompt_tokens, completion_tokens } = usage as Record<string, unknown>;
  if (typeof total_tokens === "number") return total_tokens;
  if (typeof prompt_tokens === "number")
    return prompt_tokens + (typeof completion_tokens === "number" ? completion_tokens : 0);
  return undefined;
}

const mentionsUsage = /"usage"\s*:\s*\{/;

/** The usage object of a chunk that carries one, and whether it is the usage-only final chunk (`choices: []`). */
export function chunkUsage(data: SseData): { usage: unknown; usageOnly: boolean } | undefined {
  if (!mentionsUsage.test(data)) return undefined;
  try {
    const chunk = JSON.parse(data) as { usage?: unknown; choices?: unknown };
    if (!chunk.usage || typeof chunk.usage !== "object") return undefined;
    return { usage: chunk.usage, usageOnly: Array.isArray(chunk.choices) && chunk.choices.length === 0 };
  } catch {
    return undefined;
  }
}

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
      if (found?.usageOnly && stripUsageChunk) continue;
      yield data;
    }
    seen.completed = true;
  } finally {
    onEnd(seen);
  }
}
