// Starts a model node programmatically: loads every configured model, builds the app and listens (port 0
// allowed). Used by the CLI, the gateway's one-command start, tests and benches.
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { Registry } from "prom-client";
import type { z } from "zod";
import { configSchema, type ModelNodeConfig } from "#config/schema.ts";
import { createNodeMetrics } from "./metrics.ts";
import { ModelRegistry } from "./models/registry.ts";
import { createNodeApp } from "./server/app.ts";

export type ModelNodeConfigInput = z.input<typeof configSchema.shape.modelNode>;

export type RunningModelNode = {
  url: string;
  port: number;
  config: ModelNodeConfig;
  registry: ModelRegistry;
  close(): Promise<void>;
};

export async function startModelNode(
  input: ModelNodeConfigInput,
  logger: Logger = pino({ base: { service: "switchyard-node" } }),
): Promise<RunningModelNode> {
  const config = configSchema.shape.modelNode.parse(input);
  const registry = new ModelRegistry();
  const metrics = createNodeMetrics(new Registry(), () => registry.load());
  try {
    for (const entry of config.models) await registry.add(entry, config, metrics, logger);
  } catch (error) {
    await registry.close();
    throw error;
  }
  const app = createNodeApp({ registry, metrics, config, startedAt: Date.now() }, logger);
  let server: ServerType;
  try {
    server = await listen(app.fetch, config.listen);
  } catch (error) {
    await registry.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;
  logger.info(
    { url: `http://${host}:${port}`, tier: config.tier, models: registry.models.map((m) => m.id) },
    "model node listening",
  );
  return {
    url: `http://${host}:${port}`,
    port,
    config,
    registry,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; streams in flight end when their workers stop.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await registry.close();
    },
  };
}

function listen(
  fetch: (req: Request, env: unknown) => Response | Promise<Response>,
  at: { host: string; port: number },
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: at.host, port: at.port }, () => resolve(server));
    server.once("error", reject);
  });
}
