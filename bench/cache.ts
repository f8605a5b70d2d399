// npm run bench:cache — what the response cache and the rate limiter cost, loopback only and bounded (~15 s):
// p50/p99 of a cache hit through the gateway (memory store vs Redis store, rate limits on the same store)
// against a miss, then the Redis rate limiter's checks per second. Needs Redis at REDIS_URL (default local).
import { randomUUID } from "node:crypto";
import pino from "pino";
import { createMemoryBucketStore } from "#gateway/ratelimit/memory-store.ts";
import { createRedisBucketStore } from "#gateway/ratelimit/redis-store.ts";
import type { BucketStore } from "#gateway/ratelimit/store.ts";
import { createRedisConnection } from "#gateway/redis/client.ts";
import { benchHeaders, startBenchGateway } from "./support/bench-gateway.ts";
import { fmt, sequentialLatency } from "./support/measure.ts";
import { startChild } from "./support/processes.ts";

const requests = Number(process.env.BENCH_REQUESTS ?? 3000);
const limiterSeconds = Number(process.env.BENCH_SECONDS ?? 3);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `switchyard-bench:${randomUUID().slice(0, 8)}:`;
const headers = benchHeaders;
const body = JSON.stringify({
  model: "bench-model",
  temperature: 0,
  max_tokens: 16,
  messages: [{ role: "user", content: "Say something about foxes." }],
});

const redis = createRedisConnection(
  { url: redisUrl, keyPrefix, commandTimeoutMs: 1000, connectTimeoutMs: 1000 },
  pino({ level: "silent" }),
);
if (!(await redis.ready(2000))) {
  console.error(`bench:cache needs Redis at ${redisUrl}`);
  process.exit(1);
}
const upstream = await startChild("bench/support/fixed-upstream.ts");
const children = [upstream];

async function gateway(store: "memory" | "redis"): Promise<number> {
  const child = await startBenchGateway(upstream.port, {
    cache: { store },
    rateLimit: { store },
    redis: { url: redisUrl, keyPrefix },
    logging: { level: "warn" },
  });
  children.push(child);
  return child.port;
}

async function checksPerSecond(store: BucketStore, concurrency: number): Promise<number> {
  const buckets = [{ id: "key/bench/bench", requestsPerMinute: 1e12, tokensPerMinute: 1e15 }];
  const until = performance.now() + limiterSeconds * 1000;
  let checks = 0;
  const worker = async () => {
    while (performance.now() < until) {
      await store.take(buckets, 1, 100);
      checks++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return checks / limiterSeconds;
}

try {
  console.log(
    `# bench:cache — ${requests} sequential requests (c=1) per row through a gateway child process; upstream answers at once`,
  );
  const ports = { memory: await gateway("memory"), redis: await gateway("redis") };
  const rows: [string, number, Record<string, string>][] = [
    ["hit   memory", ports.memory, {}],
    ["hit   redis ", ports.redis, {}],
    // no-store: looked up, not found, forwarded, nothing written: the miss path without a stored answer to find.
    ["miss  memory", ports.memory, { "x-switchyard-cache": "no-store" }],
    ["miss  redis ", ports.redis, { "x-switchyard-cache": "no-store" }],
    ["bypass memory (no cache, limits only)", ports.memory, { "x-switchyard-cache": "bypass" }],
  ];
  for (const [name, port, extra] of rows) {
    const missBody = extra["x-switchyard-cache"] ? body.replace("foxes", `foxes ${name}`) : body;
    const r = await sequentialLatency(`http://127.0.0.1:${port}`, "/v1/chat/completions", {
      body: missBody,
      headers: { ...headers, ...extra },
      requests,
    });
    console.log(`${name.padEnd(38)} p50 ${fmt(r.p50, 3)} ms   p99 ${fmt(r.p99, 3)} ms`);
  }

  console.log(`# rate limiter: token-bucket checks per second for ${limiterSeconds}s (one process, one connection)`);
  const redisStore = createRedisBucketStore(redis);
  for (const concurrency of [1, 16, 64]) {
    console.log(
      `redis  concurrency ${String(concurrency).padStart(2)}  ${fmt(await checksPerSecond(redisStore, concurrency), 0).padStart(8)} checks/s`,
    );
  }
  console.log(
    `memory concurrency  1  ${fmt(await checksPerSecond(createMemoryBucketStore(), 1), 0).padStart(8)} checks/s`,
  );
} finally {
  for (const child of children) child.stop();
  let cursor = "0";
  do {
    const [next, keys] = await redis.client.scan(cursor, "MATCH", redis.keys.pattern(), "COUNT", 500);
    if (keys.length) await redis.client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  await redis.close();
}
