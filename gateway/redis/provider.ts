// Hands the cache, the rate limiter and the quotas one shared Redis connection, created the first time a config
// asks for Redis and kept across config reloads (a changed redis.* section takes effect on restart).
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { createRedisConnection, type RedisConfig, type RedisConnection } from "./client.ts";

export type RedisProvider = {
  get(config: RedisConfig): RedisConnection;
  /** Waits (bounded by redis.connectTimeoutMs) for the connection, if one was opened; false if it is not up. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
};

/** What a service whose store may live in Redis (cache, rate limits, quotas) is built from. */
export type StoreServiceDeps = { registry: Registry; logger: Logger; redis: RedisProvider };

export function createRedisProvider(logger: Logger): RedisProvider {
  let connection: RedisConnection | undefined;
  let connectedWith: RedisConfig | undefined;
  return {
    get(config) {
      if (connection && connectedWith && JSON.stringify(connectedWith) !== JSON.stringify(config)) {
        logger.warn("redis settings changed; the new ones take effect on restart");
      }
      if (!connection) {
        connection = createRedisConnection(config, logger);
        connectedWith = config;
      }
      return connection;
    },
    async ready() {
      return connection ? connection.ready() : true;
    },
    async close() {
      await connection?.close();
      connection = undefined;
    },
  };
}
