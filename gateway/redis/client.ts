// The one Redis connection the gateway shares between the response cache and the rate limiter: short command
// timeouts, no offline queue and few retries so no request ever waits on a dead or slow Redis, scripts loaded,
// and a brief cool-down after a timeout so a hung server costs one timeout, not one per request.
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { SwitchyardConfig } from "#config/schema.ts";
import { type RedisKeys, redisKeys } from "./keys.ts";
import { loadScripts, type ScriptedRedis } from "./script-loader.ts";

export type RedisConfig = SwitchyardConfig["redis"];

export class RedisUnavailableError extends Error {
  constructor(reason: string) {
    super(`Redis unavailable: ${reason}`);
    this.name = "RedisUnavailableError";
  }
}

export type RedisConnection = {
  readonly client: ScriptedRedis;
  readonly keys: RedisKeys;
  /** Runs `op` now, or fails at once while the connection is down or cooling down after a timeout. */
  run<T>(op: (client: ScriptedRedis) => Promise<T>): Promise<T>;
  /** Resolves true once connected, false if that takes longer than `timeoutMs` (startup may go on without it). */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
};

const cooldownMs = 500;
const maxReconnectDelayMs = 1000;

export function createRedisConnection(config: RedisConfig, logger: Logger): RedisConnection {
  const client = loadScripts(
    new Redis(config.url, {
      commandTimeout: config.commandTimeoutMs,
      connectTimeout: config.connectTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Reconnect quickly and keep trying forever: the cache and limiter come back by themselves.
      retryStrategy: (times) => Math.min(50 * 2 ** times, maxReconnectDelayMs),
      disableClientInfo: true,
      connectionName: "switchyard-gateway",
    }),
  );
  const log = logger.child({ component: "redis" });
  let healthy = true;
  let coolUntil = 0;
  client.on("ready", () => {
    if (!healthy) log.info("redis connection restored");
    healthy = true;
  });
  client.on("error", (error: Error) => {
    // One line per outage, not one per reconnect attempt.
    if (healthy) log.warn({ err: error.message }, "redis connection failed; cache and rate limits degrade");
    healthy = false;
  });

  return {
    client,
    keys: redisKeys(config.keyPrefix),
    async run(op) {
      if (client.status !== "ready") throw new RedisUnavailableError(`connection ${client.status}`);
      if (Date.now() < coolUntil) throw new RedisUnavailableError("cooling down after a timeout");
      try {
        return await op(client);
      } catch (error) {
        if (error instanceof Error && error.message === "Command timed out") coolUntil = Date.now() + cooldownMs;
        throw error;
      }
    },
    ready: (timeoutMs = config.connectTimeoutMs) => waitForReady(client, timeoutMs),
    async close() {
      client.disconnect(false);
    },
  };
}

function waitForReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on("ready", onReady);
  });
}
