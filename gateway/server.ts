// Starts the gateway: builds the runtime and app, listens (port 0 allowed for tests), and closes gracefully.
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Logger } from "pino";
import type { SwitchyardConfig } from "#config/schema.ts";
import { createApp } from "./app.ts";
import { createLogger } from "./logging.ts";
import { createMetricsRegistry } from "./metrics/registry.ts";
import { GatewayRuntime } from "./runtime/runtime.ts";

export type RunningGateway = {
  url: string;
  port: number;
  runtime: GatewayRuntime;
  close(): Promise<void>;
};

export async function startGateway(config: SwitchyardConfig, opts: { logger?: Logger } = {}): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger(config.logging.level);
  const runtime = new GatewayRuntime(config, { logger, metrics: createMetricsRegistry({ defaultMetrics: true }) });
  const app = createApp(runtime);
  const server = await listen(app.fetch, config.server.listen);
  const { port } = server.address() as AddressInfo;
  const host = config.server.listen.host.includes(":") ? `[${config.server.listen.host}]` : config.server.listen.host;
  return {
    url: `http://${host}:${port}`,
    port,
    runtime,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open forever; in-flight responses still finish.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await runtime.close();
    },
  };
}

function listen(fetch: (req: Request, env: unknown) => Response | Promise<Response>, at: { host: string; port: number }): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: at.host, port: at.port }, () => resolve(server));
    server.once("error", reject);
  });
}
