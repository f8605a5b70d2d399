// In-memory token buckets for a single gateway (and the fail-open fallback when Redis is down): the same
// arithmetic as gateway/redis/scripts/token-buckets-3.lua, clocked by this process.
import { type BucketLevel, type BucketSpec, type BucketStore, maxBuckets, minuteMs } from "./store.ts";

type Level = { requests: number; tokens: number; at: number; fullAt: number };

const sweepEvery = 1024;

export function createMemoryBucketStore(now: () => number = Date.now): BucketStore {
  const levels = new Map<string, Level>();
  let operations = 0;

  const read = (spec: BucketSpec, at: number): Level => {
    const level = levels.get(spec.id);
    const elapsed = level ? Math.max(0, at - level.at) : 0;
    // An unlimited dimension keeps whatever level it had (its limit may come back on a config reload).
    return {
      requests:
        spec.requestsPerMinute > 0
          ? refill(level?.requests, spec.requestsPerMinute, elapsed)
          : (level?.requests ?? Number.POSITIVE_INFINITY),
      tokens:
        spec.tokensPerMinute > 0
          ? refill(level?.tokens, spec.tokensPerMinute, elapsed)
          : (level?.tokens ?? Number.POSITIVE_INFINITY),
      at,
      fullAt: at,
    };
  };

  const sweep = (at: number) => {
    // Buckets that would be full again are the same as absent ones; dropping them bounds memory.
    if (++operations % sweepEvery) return;
    for (const [id, level] of levels) if (level.fullAt <= at) levels.delete(id);
  };

  // Plain loops: this runs twice per request (take, then settle).
  const apply = (buckets: BucketSpec[], requests: number, tokens: number, check: boolean) => {
    const at = now();
    const current: Level[] = [];
    let retryAfterMs = 0;
    for (const spec of buckets) {
      const level = read(spec, at);
      current.push(level);
      if (check) retryAfterMs = Math.max(retryAfterMs, waitMs(spec, level, requests, tokens));
    }
    const admitted = retryAfterMs === 0;
    const out: BucketLevel[] = [];
    for (let i = 0; i < buckets.length; i++) {
      const spec = buckets[i]!;
      const level = current[i]!;
      if (admitted) {
        if (spec.requestsPerMinute > 0) level.requests -= requests;
        if (spec.tokensPerMinute > 0) level.tokens = Math.min(spec.tokensPerMinute, level.tokens - tokens);
        level.fullAt =
          at +
          Math.max(timeToFull(level.requests, spec.requestsPerMinute), timeToFull(level.tokens, spec.tokensPerMinute));
        levels.set(spec.id, level);
      }
      out.push({
        requests: spec.requestsPerMinute > 0 ? Math.floor(level.requests) : -1,
        tokens: spec.tokensPerMinute > 0 ? Math.floor(level.tokens) : -1,
      });
    }
    sweep(at);
    return { admitted, retryAfterMs, levels: out };
  };

  return {
    async take(buckets, requests, tokens) {
      if (buckets.length > maxBuckets) throw new Error(`at most ${maxBuckets} buckets per request`);
      const outcome = apply(buckets, requests, tokens, true);
      return { ...outcome, settle: async (charge) => void apply(buckets, 0, charge, false) };
    },
  };
}

function refill(level: number | undefined, limit: number, elapsedMs: number): number {
  if (limit <= 0) return 0;
  if (level === undefined) return limit;
  return Math.min(limit, level + (elapsedMs * limit) / minuteMs);
}

function timeToFull(level: number, limit: number): number {
  return limit > 0 ? ((limit - level) * minuteMs) / limit : 0;
}

function waitMs(spec: BucketSpec, level: Level, requests: number, tokens: number): number {
  const deficit = (have: number, need: number, limit: number) =>
    limit <= 0 || have >= need ? 0 : Math.ceil(((need - have) * minuteMs) / limit);
  return Math.max(
    deficit(level.requests, requests, spec.requestsPerMinute),
    deficit(level.tokens, tokens, spec.tokensPerMinute),
  );
}
