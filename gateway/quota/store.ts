// Where quota counters live: in this process, or in Redis for every gateway replica. A counter holds the tokens
// used in its window and disappears when the window ends.
import type { RedisConnection } from "#gateway/redis/client.ts";

export type CounterRef = { id: string; endsAt: number };

export type QuotaStore = {
  /** Tokens used so far, one number per counter (0 for a counter never written). */
  used(counters: readonly CounterRef[]): Promise<number[]> | number[];
  /** Adds `tokens` to every counter. */
  add(counters: readonly CounterRef[], tokens: number): Promise<void> | void;
};

export function createMemoryQuotaStore(now: () => number = Date.now): QuotaStore {
  const counters = new Map<string, { used: number; endsAt: number }>();
  let writes = 0;
  /** The counter, unless its window has ended (then it is dropped). */
  const read = (id: string) => {
    const counter = counters.get(id);
    if (!counter || counter.endsAt > now()) return counter;
    counters.delete(id);
    return undefined;
  };
  return {
    used: (refs) => refs.map((ref) => read(ref.id)?.used ?? 0),
    add(refs, tokens) {
      for (const ref of refs) {
        const counter = read(ref.id);
        if (counter) counter.used += tokens;
        else counters.set(ref.id, { used: tokens, endsAt: ref.endsAt });
      }
      // Ended windows are dropped now and then, so counters cannot pile up.
      if (++writes % 1024 === 0) for (const [id, c] of counters) if (c.endsAt <= now()) counters.delete(id);
    },
  };
}

export function createRedisQuotaStore(redis: RedisConnection): QuotaStore {
  return {
    async used(refs) {
      const values = await redis.run((client) => client.mget(...refs.map((ref) => redis.keys.quotaCounter(ref.id))));
      return values.map((value) => Number(value ?? 0));
    },
    async add(refs, tokens) {
      await redis.run(async (client) => {
        const batch = client.multi();
        for (const ref of refs) {
          const key = redis.keys.quotaCounter(ref.id);
          batch.incrby(key, Math.round(tokens));
          // A minute past the window's end: replicas' clocks may differ a little from this one.
          batch.pexpireat(key, ref.endsAt + 60_000);
        }
        await batch.exec();
      });
    },
  };
}
