// Token usage as OpenAI reports it: a JSON body's `usage`, or the usage a stream chunk carries. Read by the
// rate limiter (to settle reservations) and the cache (to replay streams faithfully).
import type { SseData } from "#gateway/pipeline/types.ts";

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

// `"usage": null` as a key of a compact or spaced JSON chunk. Unescaped quotes cannot occur inside JSON strings,
// so this never matches text inside a value.
const nullUsageField = /"usage"\s*:\s*null\s*,|,\s*"usage"\s*:\s*null(?=\s*\})/;

/**
 * Removes a chunk's `"usage": null` field. With include_usage every chunk but the last carries one, and the spec
 * says the field is "only present when you set stream_options: {include_usage: true}": a client that did not ask
 * (but whose stream carries usage because the gateway asked for it) must not see it.
 */
export function withoutNullUsage(data: SseData): SseData {
  return data.includes('"usage"') ? data.replace(nullUsageField, "") : data;
}
