// OpenAI's x-ratelimit-* response headers from a bucket decision: per dimension the most constrained bucket's
// limit, what remains, and how long until it is full again, written like OpenAI ("20ms", "1s", "6m0s").
import type { BucketLevel, BucketSpec } from "./store.ts";
import { minuteMs } from "./store.ts";

export function rateLimitHeaders(buckets: BucketSpec[], levels: BucketLevel[]): Record<string, string> {
  return {
    ...dimensionHeaders(
      "requests",
      buckets.map((b, i) => ({ limit: b.requestsPerMinute, level: levels[i]?.requests ?? -1 })),
    ),
    ...dimensionHeaders(
      "tokens",
      buckets.map((b, i) => ({ limit: b.tokensPerMinute, level: levels[i]?.tokens ?? -1 })),
    ),
  };
}

function dimensionHeaders(name: string, entries: { limit: number; level: number }[]): Record<string, string> {
  const limited = entries.filter((e) => e.limit > 0 && e.level !== -1);
  if (!limited.length) return {};
  const tightest = limited.reduce((a, b) => (b.level < a.level ? b : a));
  const resetMs = ((tightest.limit - Math.min(tightest.limit, tightest.level)) * minuteMs) / tightest.limit;
  return {
    [`x-ratelimit-limit-${name}`]: String(Math.floor(tightest.limit)),
    [`x-ratelimit-remaining-${name}`]: String(Math.max(0, tightest.level)),
    [`x-ratelimit-reset-${name}`]: formatResetDuration(resetMs),
  };
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
