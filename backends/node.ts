// Starts a model node programmatically: loads every configured model, builds the app and listens (port 0
// allowed). Used by the CLI, the gateway's one-command start, tests and benches.

import pino, { type Logger } from "pino";
import { Registry } from "prom-client";
import type { z } from "zod";
import { configSchema, type ModelNodeConfig } from "#config/schema.ts";
import { type Listener, listenOn } from "#gateway/listen.ts";
import { DrainGate } from "./drain.ts";
import { createNodeMetrics } from "./metrics.ts";
import { ModelRegistry } from "./models/registry.ts";
import { createNodeApp } from "./server/app.ts";

export type ModelNodeConfigInput = z.input<typeof configSchema.shape.modelNode>;

export type RunningModelNode = {
  url: string;
  port: number;
  config: ModelNodeConfig;
  registry: ModelRegistry;
  /** True from the moment close() is first called. */
  readonly draining: boolean;
  /**
   * Drains, then stops: new requests get 503 at once, admitted ones (queued, running, streaming) may finish
   * for up to `graceMs` (default `shutdownGraceMs`), then remaining connections are cut and workers stop.
   * A later call with a shorter grace (a second signal) cuts the wait short.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
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
  const gate = new DrainGate();
  let listener: Listener;
  try {
    listener = await listenOn(gate.wrap(app.fetch), config.listen);
  } catch (error) {
    await registry.close();
    throw error;
  }
  logger.info(
    { url: listener.url, tier: config.tier, models: registry.models.map((m) => m.id) },
    "model node listening",
  );
  let closing: Promise<void> | undefined;
  let forceNow = () => {};
  const forced = new Promise<void>((resolve) => {
    forceNow = resolve;
  });
  async function drain(): Promise<void> {
    gate.startDraining();
    logger.info({ inFlight: gate.inFlight }, "model node draining");
    const outcome = await Promise.race([gate.idle().then(() => "idle" as const), forced.then(() => "grace" as const)]);
    if (outcome === "grace")
      logger.warn({ inFlight: gate.inFlight }, "shutdown grace over: cutting requests in flight");
    // Whatever is still open is cut here; the workers stop after, so nothing is left waiting on them.
    await listener.close({ force: true });
    await registry.close();
  }

  return {
    url: listener.url,
    port: listener.port,
    config,
    registry,
    get draining() {
      return gate.draining;
    },
    async close(opts = {}) {
      const graceMs = opts.graceMs ?? config.shutdownGraceMs;
      const timer = setTimeout(forceNow, graceMs);
      closing ??= drain();
      try {
        await closing;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
