// Token buckets shared by every gateway replica: one atomic Lua call per decision (token-buckets-3.lua),
// clocked by Redis server time, so concurrent replicas never admit more than a bucket holds.
import type { RedisConnection } from "#gateway/redis/client.ts";
import type { BucketLevel, BucketSpec, BucketStore } from "./store.ts";
import { maxBuckets } from "./store.ts";

export function createRedisBucketStore(redis: RedisConnection): BucketStore {
  const call = async (mode: "take" | "settle", buckets: BucketSpec[], requests: number, tokens: number) => {
    if (buckets.length > maxBuckets) throw new Error(`at most ${maxBuckets} buckets per request`);
    const keys: string[] = [];
    const limits: number[] = [];
    for (let i = 0; i < maxBuckets; i++) {
      const spec = buckets[i];
      // Unused slots repeat the first key with zero limits; the script skips them.
      keys.push(redis.keys.rateBucket((spec ?? buckets[0]!).id));
      limits.push(spec?.requestsPerMinute ?? 0, spec?.tokensPerMinute ?? 0);
    }
    const reply = await redis.run((client) =>
      client.tokenBuckets(...keys, mode, requests, Math.round(tokens), ...limits),
    );
    return parseReply(reply, buckets.length);
  };

  return {
    async take(buckets, requests, tokens) {
      const outcome = await call("take", buckets, requests, tokens);
      return { ...outcome, settle: async (charge) => void (await call("settle", buckets, 0, charge)) };
    },
  };
}

function parseReply(reply: unknown, count: number): { admitted: boolean; retryAfterMs: number; levels: BucketLevel[] } {
  if (!Array.isArray(reply) || reply.length < 2 + count * 2 || !reply.every((v) => typeof v === "number")) {
    throw new Error(`unexpected token-buckets reply: ${JSON.stringify(reply)}`);
  }
  const values = reply as number[];
  const levels: BucketLevel[] = [];
  for (let i = 0; i < count; i++) levels.push({ requests: values[2 + i * 2]!, tokens: values[3 + i * 2]! });
  return { admitted: values[0] === 1, retryAfterMs: values[1]!, levels };
}
