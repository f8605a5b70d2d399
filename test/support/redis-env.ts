// Shared by the *.redis.test.ts suites: finds the test Redis (REDIS_URL, default 127.0.0.1:6379), gives each
// run its own key prefix, and decides what happens without Redis: the suites skip and say so, unless
// SWITCHYARD_REQUIRE_REDIS=1 (CI), where a missing Redis is a failure.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import { createRedisConnection, type RedisConfig, type RedisConnection } from "#gateway/redis/client.ts";

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const silentLogger = pino({ level: process.env.SWITCHYARD_TEST_LOGS ? "debug" : "silent" });

/** True when Redis answers PING; throws instead of returning false when the environment requires Redis. */
export async function redisAvailable(url = redisUrl): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch (error) {
    const message = `Redis at ${url} is unreachable (${(error as Error).message})`;
    if (process.env.SWITCHYARD_REQUIRE_REDIS === "1")
      throw new Error(`${message}; SWITCHYARD_REQUIRE_REDIS=1 makes it mandatory`);
    console.warn(`${message}: skipping the Redis suites`);
    return false;
  } finally {
    client.disconnect();
  }
}

export function uniquePrefix(suite: string): string {
  return `switchyard-test:${suite}:${process.pid}:${randomUUID().slice(0, 8)}:`;
}

export function testRedisConfig(keyPrefix: string, overrides: Partial<RedisConfig> = {}): RedisConfig {
  // A generous command timeout: test machines are small and busy, and the timeout path has its own tests.
  return { url: redisUrl, keyPrefix, commandTimeoutMs: 1000, connectTimeoutMs: 1000, ...overrides };
}

/** A connected gateway Redis connection (fails the suite if it cannot connect within a second). */
export async function connect(config: RedisConfig): Promise<RedisConnection> {
  const connection = createRedisConnection(config, silentLogger);
  if (!(await connection.ready(2000))) throw new Error(`could not connect to ${config.url}`);
  return connection;
}

/** Deletes every key under the run's prefix. */
export async function deletePrefix(connection: RedisConnection): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await connection.client.scan(cursor, "MATCH", connection.keys.pattern(), "COUNT", 500);
    if (keys.length) await connection.client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

/**
 * Two connections under one fresh key prefix, as two gateway replicas share Redis: opened before the calling
 * describe block's tests, closed after them with their keys deleted. The properties are set once the hook has run.
 */
export function replicaConnections(suite: string): { first: RedisConnection; second: RedisConnection } {
  const prefix = uniquePrefix(suite);
  const pair = {} as { first: RedisConnection; second: RedisConnection };
  beforeAll(async () => {
    pair.first = await connect(testRedisConfig(prefix));
    pair.second = await connect(testRedisConfig(prefix));
  });
  afterAll(async () => {
    await deletePrefix(pair.first);
    await Promise.all([pair.first.close(), pair.second.close()]);
  });
  return pair;
}
