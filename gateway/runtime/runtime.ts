// Holds the gateway's current config snapshot and swaps it atomically on reload: a request reads the snapshot
// once when it starts and keeps it to the end, so in-flight requests finish on the config they began with.
import { createHash } from "node:crypto";
import type { SwitchyardConfig } from "#config/schema.ts";
import { buildKeyIndex, type KeyIndex } from "#gateway/auth/key-index.ts";
import type { Forwarder } from "#gateway/pipeline/types.ts";
import { buildPipeline, type GatewayServices } from "./build-pipeline.ts";

export type GatewaySnapshot = Readonly<{
  version: number;
  /** Content hash of the config, so operators can tell which config a replica runs. */
  hash: string;
  loadedAt: Date;
  config: SwitchyardConfig;
  keys: KeyIndex;
  forwarder: Forwarder;
}>;

export type Readiness = { ready: boolean; models: Record<string, { healthy: number; total: number }> };

export class GatewayRuntime {
  readonly services: GatewayServices;
  #snapshot: GatewaySnapshot;

  constructor(config: SwitchyardConfig, services: GatewayServices) {
    this.services = services;
    this.#snapshot = this.#build(config, 1);
  }

  get snapshot(): GatewaySnapshot {
    return this.#snapshot;
  }

  /** Swaps in an already-validated config; the caller validates so a bad config never gets this far. */
  reload(config: SwitchyardConfig): GatewaySnapshot {
    this.#snapshot = this.#build(config, this.#snapshot.version + 1);
    return this.#snapshot;
  }

  /** The union of models the configured nodes serve. */
  models(): string[] {
    return [...new Set(this.#snapshot.config.nodes.flatMap((n) => n.models))].sort();
  }

  readiness(): Readiness {
    const models: Readiness["models"] = {};
    for (const node of this.#snapshot.config.nodes) {
      for (const model of node.models) {
        const entry = (models[model] ??= { healthy: 0, total: 0 });
        entry.total += 1;
        entry.healthy += 1;
      }
    }
    const values = Object.values(models);
    return { ready: values.length > 0 && values.every((m) => m.healthy > 0), models };
  }

  async close(): Promise<void> {}

  #build(config: SwitchyardConfig, version: number): GatewaySnapshot {
    return Object.freeze({
      version,
      hash: configHash(config),
      loadedAt: new Date(),
      config,
      keys: buildKeyIndex(config.auth),
      forwarder: buildPipeline(config, this.services),
    });
  }
}

export function configHash(config: SwitchyardConfig): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex").slice(0, 16);
}
