// Starts the gateway: builds the runtime and app, listens (port 0 allowed for tests), and closes gracefully.
import type { Logger } from "pino";
import type { Env } from "#config/load.ts";
import type { SwitchyardConfig } from "#config/schema.ts";
import { startOperations } from "./admin/operations.ts";
import { createApp } from "./app.ts";
import { createCacheService } from "./cache/service.ts";
import { listenOn } from "./listen.ts";
import { createLogger } from "./logging.ts";
import { createMetricsRegistry } from "./metrics/registry.ts";
import { NodeRegistry } from "./nodes/registry.ts";
import { createQuotaService } from "./quota/service.ts";
import { createRateLimitService } from "./ratelimit/service.ts";
import { createRedisProvider } from "./redis/provider.ts";
import type { ConfigReloader } from "./reload/reloader.ts";
import { GatewayRuntime } from "./runtime/runtime.ts";

export type RunningGateway = {
  url: string;
  port: number;
  runtime: GatewayRuntime;
  /** Config reloads (gateway/admin, gateway/reload): the admin API, SIGHUP and the file watch all use it. */
  reloader: ConfigReloader;
  /** The admin API's address when `admin.enabled`. */
  admin?: { url: string; port: number };
  /** Stops accepting, lets in-flight responses finish for up to `graceMs` (default server.shutdownGraceMs), then cuts them. */
  close(opts?: { graceMs?: number }): Promise<void>;
};

export type GatewayOptions = {
  logger?: Logger;
  /** The file the config came from, so reloads (admin API, SIGHUP, file watch) can re-read it. */
  configPath?: string;
  /** Environment for `${VAR}` interpolation on reload; the process environment by default. */
  env?: Env;
};

export async function startGateway(config: SwitchyardConfig, opts: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger(config.logging.level);
  const metrics = createMetricsRegistry({ defaultMetrics: true });
  const redis = createRedisProvider(logger);
  const runtime = new GatewayRuntime(config, {
    logger,
    metrics,
    nodes: new NodeRegistry({ nodes: config.nodes, routing: config.routing, logger, metricsRegistry: metrics }),
    redis,
    cache: createCacheService({ registry: metrics, logger, redis }),
    rateLimits: createRateLimitService({ registry: metrics, logger, redis }),
    quotas: createQuotaService({ registry: metrics, logger, redis }),
  });
  // Start with Redis connected when the config uses it: until then cache and limits would run degraded.
  await redis.ready();
  const app = createApp(runtime);
  const listener = await listenOn(app.fetch, config.server.listen);
  const operations = await startOperations(runtime, { configPath: opts.configPath, env: opts.env });
  return {
    url: listener.url,
    port: listener.port,
    runtime,
    reloader: operations.reloader,
    admin: operations.admin,
    async close(opts = {}) {
      await operations.close();
      const graceMs = opts.graceMs ?? runtime.snapshot.config.server.shutdownGraceMs;
      const cut = setTimeout(() => void listener.close({ force: true }), graceMs);
      await listener.close();
      clearTimeout(cut);
      await runtime.close();
    },
  };
}
