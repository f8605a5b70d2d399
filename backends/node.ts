// Starts a model node programmatically: loads every configured model, builds the app and listens (port 0
// allowed). Used by the CLI, the gateway's one-command start, tests and benches.

import pino, { type Logger } from "pino";
import { Registry } from "prom-client";
import type { z } from "zod";
import { configSchema, type ModelNodeConfig } from "#config/schema.ts";
import { type Listener, listenOn } from "#gateway/listen.ts";
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
  let listener: Listener;
  try {
    listener = await listenOn(app.fetch, config.listen);
  } catch (error) {
    await registry.close();
    throw error;
  }
  logger.info(
    { url: listener.url, tier: config.tier, models: registry.models.map((m) => m.id) },
    "model node listening",
  );
  return {
    url: listener.url,
    port: listener.port,
    config,
    registry,
    async close() {
      // Streams in flight end when their workers stop, so their connections are cut too.
      await listener.close({ force: true });
      await registry.close();
    },
  };
}
