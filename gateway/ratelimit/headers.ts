// OpenAI's x-ratelimit-* response headers from a bucket decision: per dimension the most constrained bucket's
// limit, what remains, and how long until it is full again, written like OpenAI ("20ms", "1s", "6m0s").
import type { BucketLevel, BucketSpec } from "./store.ts";
import { minuteMs } from "./store.ts";

export function rateLimitHeaders(buckets: BucketSpec[], levels: BucketLevel[]): Record<string, string> {
  const headers: Record<string, string> = {};
  addDimension(headers, requestNames, buckets, levels, "requests");
  addDimension(headers, tokenNames, buckets, levels, "tokens");
  return headers;
}

type Names = { limit: string; remaining: string; reset: string };
const requestNames: Names = namesFor("requests");
const tokenNames: Names = namesFor("tokens");

function namesFor(dimension: string): Names {
  return {
    limit: `x-ratelimit-limit-${dimension}`,
    remaining: `x-ratelimit-remaining-${dimension}`,
    reset: `x-ratelimit-reset-${dimension}`,
  };
}

/** The most constrained bucket of one dimension (plain loop: this runs on every request). */
function addDimension(
  headers: Record<string, string>,
  names: Names,
  buckets: BucketSpec[],
  levels: BucketLevel[],
  dimension: "requests" | "tokens",
): void {
  let limit = 0;
  let level = Number.POSITIVE_INFINITY;
  for (let i = 0; i < buckets.length; i++) {
    const bucketLimit = dimension === "requests" ? buckets[i]!.requestsPerMinute : buckets[i]!.tokensPerMinute;
    const bucketLevel = levels[i]?.[dimension] ?? -1;
    if (bucketLimit > 0 && bucketLevel !== -1 && bucketLevel < level) {
      limit = bucketLimit;
      level = bucketLevel;
    }
  }
  if (limit === 0) return;
  const resetMs = ((limit - Math.min(limit, level)) * minuteMs) / limit;
  headers[names.limit] = String(Math.floor(limit));
  headers[names.remaining] = String(Math.max(0, Math.floor(level)));
  headers[names.reset] = formatResetDuration(resetMs);
}

/** Go-style durations as OpenAI sends them: "0s", "17ms", "1s", "8.64s", "6m0s", "1h2m3s". */
export function formatResetDuration(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const totalSeconds = Math.round(ms) / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Number((totalSeconds % 60).toFixed(3));
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
