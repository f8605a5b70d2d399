// OpenAI's x-ratelimit-* response headers from a bucket decision: per dimension the most constrained bucket's
// limit, what remains, and how long until it is full again, written like OpenAI ("20ms", "1s", "6m0s").
import type { BucketLevel, BucketSpec } from "./store.ts";
import { minuteMs } from "./store.ts";

export function rateLimitHeaders(buckets: BucketSpec[], levels: BucketLevel[]): Record<string, string> {
  // Per dimension, the most constrained bucket: the limited one with the lowest level. One plain pass, since this
  // runs on every request.
  let requestLimit = 0;
  let requestLevel = Number.POSITIVE_INFINITY;
  let tokenLimit = 0;
  let tokenLevel = Number.POSITIVE_INFINITY;
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i]!;
    const level = levels[i];
    if (!level) continue;
    if (bucket.requestsPerMinute > 0 && level.requests !== -1 && level.requests < requestLevel) {
      requestLimit = bucket.requestsPerMinute;
      requestLevel = level.requests;
    }
    if (bucket.tokensPerMinute > 0 && level.tokens !== -1 && level.tokens < tokenLevel) {
      tokenLimit = bucket.tokensPerMinute;
      tokenLevel = level.tokens;
    }
  }
  // Both dimensions limited, as by default: one literal, which V8 builds from a template instead of key by key.
  if (requestLimit > 0 && tokenLimit > 0) {
    return {
      "x-ratelimit-limit-requests": limitText(requestLimit),
      "x-ratelimit-remaining-requests": remainingText(requestLevel),
      "x-ratelimit-reset-requests": resetText(requestLimit, requestLevel),
      "x-ratelimit-limit-tokens": limitText(tokenLimit),
      "x-ratelimit-remaining-tokens": remainingText(tokenLevel),
      "x-ratelimit-reset-tokens": resetText(tokenLimit, tokenLevel),
    };
  }
  const headers: Record<string, string> = {};
  if (requestLimit > 0) {
    headers["x-ratelimit-limit-requests"] = limitText(requestLimit);
    headers["x-ratelimit-remaining-requests"] = remainingText(requestLevel);
    headers["x-ratelimit-reset-requests"] = resetText(requestLimit, requestLevel);
  }
  if (tokenLimit > 0) {
    headers["x-ratelimit-limit-tokens"] = limitText(tokenLimit);
    headers["x-ratelimit-remaining-tokens"] = remainingText(tokenLevel);
    headers["x-ratelimit-reset-tokens"] = resetText(tokenLimit, tokenLevel);
  }
  return headers;
}

/** What remains, as a whole number never below 0. */
function remainingText(level: number): string {
  return String(Math.max(0, Math.floor(level)));
}

/** How long until a bucket at `level` of `limit` per minute is full again, written like OpenAI. */
function resetText(limit: number, level: number): string {
  return formatResetDuration(((limit - Math.min(limit, level)) * minuteMs) / limit);
}

// Limits are config values, so few: their text is kept rather than formatted on every request.
const limitTexts = new Map<number, string>();

function limitText(limit: number): string {
  let text = limitTexts.get(limit);
  if (text === undefined) {
    if (limitTexts.size >= 1024) limitTexts.clear();
    text = String(Math.floor(limit));
    limitTexts.set(limit, text);
  }
  return text;
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
