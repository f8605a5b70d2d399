// The rate-limit ForwardLayer: reserves one request and the estimated tokens from every bucket the caller
// draws from, refuses with OpenAI's 429 when any bucket is short, and settles the reservation against real
// usage (JSON `usage` or the stream's usage chunk, which it asks upstream for and hides if the client did not).
// Every admitted or refused response carries the x-ratelimit-* headers. Cache hits cost a request, no tokens.
import { RateLimitedError } from "#gateway/openai/errors.ts";
import { trackStreamUsage, usageChunkNeeded, withUsageRequested } from "#gateway/openai/stream-usage.ts";
import { usageTokens } from "#gateway/openai/usage.ts";
import type { ForwardLayer, ForwardRequest, ForwardResult } from "#gateway/pipeline/types.ts";
import { withHeaders } from "#gateway/pipeline/types.ts";
import { estimateTokens, type TokenEstimate } from "./estimate.ts";
import { formatResetDuration, rateLimitHeaders } from "./headers.ts";
import { bucketResolver, capToCapacity, type RateLimitConfig } from "./limits.ts";
import type { RateLimitMetrics } from "./metrics.ts";
import type { BucketSpec, BucketStore, TakeOutcome } from "./store.ts";

export type RateLimitLayerOptions = { config: RateLimitConfig; store: BucketStore; metrics: RateLimitMetrics };

export function createRateLimitLayer({ config, store, metrics }: RateLimitLayerOptions): ForwardLayer {
  const resolveBuckets = bucketResolver(config);
  return (next) => {
    /** After the buckets decided: refuse, or forward and settle the reservation against real usage. */
    const admit = (
      req: ForwardRequest,
      buckets: BucketSpec[],
      estimate: TokenEstimate,
      reserved: number,
      outcome: TakeOutcome,
    ): Promise<ForwardResult> => {
      const headers = rateLimitHeaders(buckets, outcome.levels);
      if (!outcome.admitted) {
        metrics.decisions.incWith(1, "limited");
        const message = refusalMessage(buckets, outcome, reserved);
        return Promise.reject(new RateLimitedError(message, outcome.retryAfterMs / 1000, headers));
      }
      metrics.decisions.incWith(1, "allowed");

      const settle = (actual: number) => {
        if (actual !== reserved) outcome.settle(actual - reserved)?.catch(ignore);
      };
      const stripUsage = usageChunkNeeded(req);
      let forwarded: Promise<ForwardResult>;
      try {
        forwarded = next(stripUsage ? withUsageRequested(req) : req);
      } catch (error) {
        settle(0);
        return Promise.reject(error);
      }
      return forwarded.then(
        (result) => {
          const cacheHit = result.headers["x-switchyard-cache"] === "hit";
          if (result.kind === "json") {
            const usage = (result.body as { usage?: unknown })?.usage;
            settle(result.status >= 400 || cacheHit ? 0 : (usageTokens(usage) ?? reserved));
            return withHeaders(result, headers);
          }
          const events = trackStreamUsage(result.events, stripUsage, (usage) =>
            settle(cacheHit ? 0 : (usage.totalTokens ?? estimate.prompt + usage.dataChunks)),
          );
          return { ...withHeaders(result, headers), events };
        },
        (error: unknown) => {
          settle(0);
          throw error;
        },
      );
    };
    // Not async: a local store decides synchronously, and an async layer would cost every request microtask turns.
    return function rateLimit(req) {
      const buckets = resolveBuckets(req.caller, req.model);
      if (!buckets.length) return next(req);
      const estimate = estimateTokens(req, config.defaultMaxTokens);
      const reserved = capToCapacity(estimate.prompt + estimate.completion, buckets);
      const taken = store.take(buckets, 1, reserved);
      return taken instanceof Promise
        ? taken.then((outcome) => admit(req, buckets, estimate, reserved, outcome))
        : admit(req, buckets, estimate, reserved, taken);
    };
  };
}

const ignore = () => {};

function refusalMessage(buckets: BucketSpec[], outcome: TakeOutcome, tokens: number): string {
  const short = (i: number, what: "requests" | "tokens") => {
    const limit = what === "requests" ? buckets[i]!.requestsPerMinute : buckets[i]!.tokensPerMinute;
    const level = outcome.levels[i]?.[what] ?? 0;
    return limit > 0 && level < (what === "requests" ? 1 : tokens)
      ? { what, limit, level, id: buckets[i]!.id }
      : undefined;
  };
  const found =
    buckets.map((_, i) => short(i, "requests")).find(Boolean) ??
    buckets.map((_, i) => short(i, "tokens")).find(Boolean);
  const requested = found?.what === "requests" ? 1 : tokens;
  return (
    `Rate limit reached for ${found?.what ?? "requests"} per min (${found?.id ?? buckets[0]!.id}): Limit ${found?.limit ?? 0}, ` +
    `Remaining ${Math.max(0, found?.level ?? 0)}, Requested ${requested}. ` +
    `Please try again in ${formatResetDuration(outcome.retryAfterMs)}.`
  );
}
