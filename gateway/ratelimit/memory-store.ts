// In-memory token buckets for a single gateway (and the fail-open fallback when Redis is down): the same
// arithmetic as gateway/redis/scripts/token-buckets-3.lua, clocked by this process.
// This runs twice on every request (take, then settle), so it decides synchronously and refills levels in place:
// continuous refill is additive (refilling to t1 and then to t2 equals refilling to t2), so bringing a stored level
// up to date is exact even when the decision then refuses.
import {
  type BucketLevel,
  type BucketSpec,
  type BucketStore,
  maxBuckets,
  minuteMs,
  type TakeOutcome,
} from "./store.ts";

type Level = { requests: number; tokens: number; at: number; fullAt: number };

const sweepEvery = 1024;

export function createMemoryBucketStore(now: () => number = Date.now): BucketStore {
  const levels = new Map<string, Level>();
  let operations = 0;

  /** The bucket's level refilled to `at`; a bucket never seen (or swept) starts full and is not stored yet. */
  const current = (spec: BucketSpec, at: number): Level => {
    const level = levels.get(spec.id);
    if (!level) {
      return {
        requests: spec.requestsPerMinute > 0 ? spec.requestsPerMinute : Number.POSITIVE_INFINITY,
        tokens: spec.tokensPerMinute > 0 ? spec.tokensPerMinute : Number.POSITIVE_INFINITY,
        at,
        fullAt: at,
      };
    }
    const elapsed = Math.max(0, at - level.at);
    // An unlimited dimension keeps whatever level it had (its limit may come back on a config reload).
    if (spec.requestsPerMinute > 0) level.requests = refill(level.requests, spec.requestsPerMinute, elapsed);
    if (spec.tokensPerMinute > 0) level.tokens = refill(level.tokens, spec.tokensPerMinute, elapsed);
    level.at = Math.max(level.at, at);
    return level;
  };

  const deduct = (spec: BucketSpec, level: Level, requests: number, tokens: number, at: number) => {
    if (spec.requestsPerMinute > 0) level.requests -= requests;
    if (spec.tokensPerMinute > 0) level.tokens = Math.min(spec.tokensPerMinute, level.tokens - tokens);
    level.fullAt =
      at + Math.max(timeToFull(level.requests, spec.requestsPerMinute), timeToFull(level.tokens, spec.tokensPerMinute));
    levels.set(spec.id, level);
  };

  const sweep = (at: number) => {
    // Buckets that would be full again are the same as absent ones; dropping them bounds memory.
    if (++operations % sweepEvery) return;
    for (const [id, level] of levels) if (level.fullAt <= at) levels.delete(id);
  };

  /** Charges (or, negative, refunds) tokens without a check: the reservation was already admitted. */
  const settle = (buckets: BucketSpec[], tokens: number): void => {
    const at = now();
    for (let i = 0; i < buckets.length; i++) deduct(buckets[i]!, current(buckets[i]!, at), 0, tokens, at);
    sweep(at);
  };

  return {
    take(buckets, requests, tokens): TakeOutcome {
      if (buckets.length > maxBuckets) throw new Error(`at most ${maxBuckets} buckets per request`);
      const at = now();
      const found: Level[] = [];
      let retryAfterMs = 0;
      for (let i = 0; i < buckets.length; i++) {
        const level = current(buckets[i]!, at);
        found.push(level);
        retryAfterMs = Math.max(retryAfterMs, waitMs(buckets[i]!, level, requests, tokens));
      }
      const admitted = retryAfterMs === 0;
      const out: BucketLevel[] = [];
      for (let i = 0; i < buckets.length; i++) {
        const spec = buckets[i]!;
        const level = found[i]!;
        if (admitted) deduct(spec, level, requests, tokens, at);
        out.push({
          requests: spec.requestsPerMinute > 0 ? Math.floor(level.requests) : -1,
          tokens: spec.tokensPerMinute > 0 ? Math.floor(level.tokens) : -1,
        });
      }
      sweep(at);
      return { admitted, retryAfterMs, levels: out, settle: (charge) => settle(buckets, charge) };
    },
  };
}

function refill(level: number, limit: number, elapsedMs: number): number {
  return Math.min(limit, level + (elapsedMs * limit) / minuteMs);
}

function timeToFull(level: number, limit: number): number {
  return limit > 0 ? ((limit - level) * minuteMs) / limit : 0;
}

function waitMs(spec: BucketSpec, level: Level, requests: number, tokens: number): number {
  return Math.max(
    deficit(level.requests, requests, spec.requestsPerMinute),
    deficit(level.tokens, tokens, spec.tokensPerMinute),
  );
}

function deficit(have: number, need: number, limit: number): number {
  return limit <= 0 || have >= need ? 0 : Math.ceil(((need - have) * minuteMs) / limit);
}
